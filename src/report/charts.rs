//! The report's charts, drawn as SVG with plotters: viewers, comments a minute and orders a
//! minute over the stream with the flash sales' live windows shaded, and units per product.
//! Plotters escapes the text it draws, and the charts use only the shop's own words (SKUs and
//! sale ids) besides numbers.

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Report;

/// Every chart's size in SVG pixels (it scales in the HTML report).
pub const SIZE: (u32, u32) = (860, 260);

const LINE: RGBColor = RGBColor(37, 99, 235);
const BAR: RGBColor = RGBColor(16, 150, 110);
const SALE: RGBColor = RGBColor(245, 158, 11);
const GRID: RGBColor = RGBColor(229, 231, 235);
const INK: RGBColor = RGBColor(55, 65, 81);

/// One chart: its file name and its SVG.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// `viewers.svg`, `comments.svg`, `orders.svg` or `products.svg`.
    pub file: &'static str,
    /// What it shows, for the alt text and the heading.
    pub title: &'static str,
    pub svg: String,
}

/// Every chart of a report.
pub fn all(report: &Report) -> anyhow::Result<Vec<Chart>> {
    let s = &report.series;
    let viewers: Vec<f64> = s.viewers.iter().map(|&v| v as f64).collect();
    let comments: Vec<f64> = s.comments.iter().map(|&v| f64::from(v)).collect();
    let orders: Vec<f64> = s.orders.iter().map(|&v| f64::from(v)).collect();
    Ok(vec![
        Chart {
            file: "viewers.svg",
            title: "Viewers",
            svg: over_time(report, "Viewers", &viewers, Style::Line)?,
        },
        Chart {
            file: "comments.svg",
            title: "Comments per minute",
            svg: over_time(report, "Comments per minute", &comments, Style::Line)?,
        },
        Chart {
            file: "orders.svg",
            title: "Orders per minute",
            svg: over_time(report, "Orders per minute", &orders, Style::Bars)?,
        },
        Chart { file: "products.svg", title: "Units sold per product", svg: products(report)? },
    ])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Line,
    Bars,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot draw a chart: {e}")
}

fn blank(svg: &mut String) -> DrawingArea<SVGBackend<'_>, Shift> {
    SVGBackend::with_string(svg, SIZE).into_drawing_area()
}

/// A per-minute figure over the stream, one point (or bar) a minute, the flash sales' live
/// windows shaded behind it and named at the top.
fn over_time(report: &Report, caption: &str, values: &[f64], style: Style) -> anyhow::Result<String> {
    let minutes = values.len().max(1) as f64;
    let top = values.iter().copied().fold(0.0, f64::max);
    let y_max = if top <= 0.0 { 1.0 } else { (top * 1.15).ceil() };
    let mut svg = String::new();
    {
        let root = blank(&mut svg);
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..minutes, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .x_labels(12)
            .y_labels(6)
            .x_desc("time from the start")
            .x_label_formatter(&|x| super::text::clock((x * 60.0).round() as i64))
            .y_label_formatter(&|y| short(*y))
            .draw()
            .map_err(err)?;
        for w in &report.series.sale_windows {
            let (from, to) = (
                w.from_seconds as f64 / 60.0,
                (w.to_seconds as f64 / 60.0).max(w.from_seconds as f64 / 60.0 + 0.05),
            );
            chart
                .draw_series([Rectangle::new([(from, 0.0), (to, y_max)], SALE.mix(0.22).filled())])
                .map_err(err)?;
            let label = Text::new(
                w.sale_id.clone(),
                (from, y_max * 0.97),
                ("sans-serif", 11).into_font().color(&SALE.mix(1.0)),
            );
            chart.draw_series([label]).map_err(err)?;
        }
        match style {
            Style::Line => {
                // A step a minute: each minute's figure holds across it.
                let points =
                    values.iter().enumerate().flat_map(|(m, &v)| [(m as f64, v), (m as f64 + 1.0, v)]);
                chart.draw_series(LineSeries::new(points, LINE.stroke_width(2))).map_err(err)?;
            }
            Style::Bars => {
                let bars = values.iter().enumerate().filter(|(_, v)| **v > 0.0).map(|(m, &v)| {
                    Rectangle::new([(m as f64 + 0.15, 0.0), (m as f64 + 0.85, v)], BAR.filled())
                });
                chart.draw_series(bars).map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Units sold per product, one bar each, labelled with its SKU.
fn products(report: &Report) -> anyhow::Result<String> {
    let products: Vec<_> = report.products.iter().filter(|p| p.stock_at_start > 0 || p.units > 0).collect();
    let n = products.len().max(1);
    let top = products.iter().map(|p| p.units).max().unwrap_or(0);
    let y_max = if top == 0 { 1 } else { top + top.div_ceil(7) };
    let mut svg = String::new();
    {
        let root = blank(&mut svg);
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Units sold per product", ("sans-serif", 18).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(56)
            // A segmented range has a segment for each end: 0..n-1 gives n.
            .build_cartesian_2d((0..n - 1).into_segmented(), 0u32..y_max)
            .map_err(err)?;
        let names: Vec<String> = products.iter().map(|p| p.sku.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .x_labels(n)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_labels(6)
            .y_desc("units")
            .draw()
            .map_err(err)?;
        let bars = products.iter().enumerate().map(|(i, p)| {
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), p.units)],
                BAR.filled(),
            );
            bar.set_margin(0, 0, 14, 14);
            bar
        });
        chart.draw_series(bars).map_err(err)?;
        let labels = products.iter().enumerate().filter(|(_, p)| p.units > 0).map(|(i, p)| {
            let above = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
            Text::new(p.units.to_string(), (SegmentValue::CenterOf(i), p.units), above)
        });
        chart.draw_series(labels).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A count as an axis label: 1200 reads 1.2k.
fn short(y: f64) -> String {
    if y >= 10_000.0 {
        format!("{:.0}k", y / 1000.0)
    } else if y >= 1000.0 {
        format!("{:.1}k", y / 1000.0)
    } else if y.fract() == 0.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
    }
}
