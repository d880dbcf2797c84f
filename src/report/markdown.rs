//! The report as Markdown: tables a person can read in any viewer, linking the SVG charts
//! written beside it (in `charts/`).

use std::fmt::Write;

use super::Report;
use super::doc::{Block, blocks};
use super::text::md_cell;

/// Where the Markdown report expects its charts, relative to itself.
pub const CHARTS_DIR: &str = "charts";

/// The whole report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for block in blocks(r) {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "# {}\n", md_cell(&t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "## {}\n", md_cell(&t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "### {}\n", md_cell(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", md_cell(&t));
            }
            Block::Meta(t) => {
                // Code spans stay code spans; the text between them is escaped.
                let parts: Vec<String> = t
                    .split('`')
                    .enumerate()
                    .map(|(i, p)| if i % 2 == 1 { format!("`{p}`") } else { md_cell(p) })
                    .collect();
                let _ = writeln!(out, "{}\n", parts.concat());
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md_cell(&item));
                }
                out.push('\n');
            }
            Block::Chart { file, alt } => {
                let _ = writeln!(out, "![{alt}]({CHARTS_DIR}/{file})\n");
            }
            Block::Table(table) => {
                let _ = writeln!(out, "| {} |", table.head.join(" | "));
                let rule: Vec<&str> = table.right.iter().map(|&r| if r { "---:" } else { "---" }).collect();
                let _ = writeln!(out, "|{}|", rule.join("|"));
                for row in &table.rows {
                    let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
        }
    }
    out
}
