//! The report as one self-contained HTML file: the charts inline as SVG, the styles inline,
//! no script and nothing fetched, so it opens in any browser, mails as one attachment and
//! prints cleanly (tables and charts are not split across pages).

use std::fmt::Write;

use super::Report;
use super::charts::Chart;
use super::doc::{Block, blocks};
use super::text::html;

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1f2937; --dim: #6b7280; --rule: #e5e7eb; --band: #f9fafb; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 24px 28px 48px; max-width: 1000px; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p.meta { color: var(--dim); margin: 0 0 6px; }
code { font: 13px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: var(--band); padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: var(--band); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fcfcfd; }
figure { margin: 10px 0 18px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--dim); font-size: 13px; }
ul { padding-left: 20px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  table, figure { break-inside: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"#;

/// The whole report as one page, with `charts` inline.
pub fn render(r: &Report, charts: &[Chart]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = blocks(r)
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "Stream report".into());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        html(&title)
    );
    for block in blocks(r) {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "<h1>{}</h1>", html(&t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "<h2>{}</h2>", html(&t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "<h3>{}</h3>", html(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "<p>{}</p>", html(&t));
            }
            Block::Meta(t) => {
                let parts: Vec<String> = t
                    .split('`')
                    .enumerate()
                    .map(|(i, p)| if i % 2 == 1 { format!("<code>{}</code>", html(p)) } else { html(p) })
                    .collect();
                let _ = writeln!(out, "<p class=\"meta\">{}</p>", parts.concat());
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", html(&item));
                }
                out.push_str("</ul>\n");
            }
            Block::Chart { file, alt } => {
                if let Some(chart) = charts.iter().find(|c| c.file == file) {
                    let _ = writeln!(
                        out,
                        "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                        html(alt),
                        inline_svg(&chart.svg),
                        html(alt)
                    );
                }
            }
            Block::Table(table) => {
                out.push_str("<table>\n<thead><tr>");
                for (h, right) in table.head.iter().zip(&table.right) {
                    let class = if *right { " class=\"n\"" } else { "" };
                    let _ = write!(out, "<th{class}>{}</th>", html(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in &table.rows {
                    out.push_str("<tr>");
                    for (cell, right) in row.iter().zip(&table.right) {
                        let class = if *right { " class=\"n\"" } else { "" };
                        let _ = write!(out, "<td{class}>{}</td>", html(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// An SVG document as an element inside HTML: without its XML declaration.
fn inline_svg(svg: &str) -> &str {
    let svg = svg.trim();
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_declaration_goes_and_the_svg_stays() {
        assert_eq!(inline_svg("<?xml version=\"1.0\"?>\n<svg></svg>"), "<svg></svg>");
        assert_eq!(inline_svg("<svg></svg>"), "<svg></svg>");
    }
}
