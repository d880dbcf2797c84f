//! The stock pane: what is left of each product, with the warnings that stop an oversell.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::{Ctx, fill_row, frame, scroll_offset};
use crate::config::keymap::KeyAction;
use crate::desk::catalog::Product;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{Pane, ViewState};

/// Marker, gaps and the two number columns.
const FIXED: usize = 1 + 1 + 4 + 1 + 4 + 1;
/// Columns kept for flags before the SKU may grow.
const FLAGS_MIN: usize = 10;

/// The flags of a product, most urgent first.
fn flags(p: &Product, on_sale: bool, pinned: bool, theme: &Theme) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    if p.oversold > 0 {
        out.push((format!("OVERSOLD {}", p.oversold), theme.danger));
    }
    if p.sold_out() {
        out.push(("SOLD OUT".into(), theme.sold_out));
    } else if p.low() {
        out.push(("LOW".into(), theme.low_stock));
    }
    if on_sale {
        out.push(("SALE".into(), theme.sale));
    }
    if !p.known {
        out.push(("UNLISTED".into(), theme.warn));
    }
    if pinned {
        out.push(("pinned".into(), theme.accent));
    }
    out
}

/// Draws the pane and records its rows for the mouse.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, view: &mut ViewState, focused: bool) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let hints = ctx.hints(&[(KeyAction::PinProduct, "pin"), (KeyAction::UnpinProduct, "unpin")]);
    let inner = frame(buf, area, Pane::Stock.title(), vec![], &hints, focused, theme);
    view.hits.stock_rows = Rect::default();
    if inner.height < 2 {
        return;
    }
    let products = desk.catalog.products();
    let w = usize::from(inner.width);
    let pinned = |p: &Product| desk.pinned.as_deref() == Some(p.sku.as_str());
    let all_flags: Vec<Vec<(String, Style)>> =
        products.iter().map(|p| flags(p, desk.sales.on_sale(&p.sku), pinned(p), theme)).collect();
    // The SKU column shrinks only as far as the flags shown need (the first flag, at least).
    let flags_w = all_flags
        .iter()
        .filter_map(|f| f.first().map(|(t, _)| text::width(t)))
        .max()
        .map_or(0, |w| w.max(FLAGS_MIN));
    let sku_max = products.iter().map(|p| text::width(&p.sku)).max().unwrap_or(3).max(3);
    let sku_w = sku_max.min(w.saturating_sub(FIXED + flags_w)).max(6);
    let (x, right) = (inner.x, inner.right());

    let header = format!(" {:<sku_w$} {:>4} {:>4} ", "SKU", "left", "sold");
    text::put(buf, x, inner.y, right, &header, theme.dim.add_modifier(Modifier::BOLD));
    let rows = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    view.hits.stock_rows = rows;
    if products.is_empty() {
        text::put(buf, x, rows.y, right, " No products in the catalog", theme.dim);
        return;
    }

    let list = &mut view.stock;
    list.offset = scroll_offset(list.selected, list.offset, products.len(), usize::from(rows.height));
    for (row, i) in (list.offset..products.len()).take(usize::from(rows.height)).enumerate() {
        let p = &products[i];
        let y = rows.y + row as u16;
        if list.selected == Some(i) {
            fill_row(buf, rows, y, theme.selected);
        }
        let on_sale = desk.sales.on_sale(&p.sku);
        let mark = if pinned(p) { "*" } else { " " };
        let mut cx = text::put(buf, x, y, right, mark, theme.accent.add_modifier(Modifier::BOLD));
        let sku_style = if on_sale { theme.sale } else { theme.base.add_modifier(Modifier::BOLD) };
        let sku = format!("{:<sku_w$}", text::truncate(&p.sku, sku_w));
        cx = text::put(buf, cx, y, right, &sku, sku_style);
        let left_style = if p.sold_out() {
            theme.sold_out
        } else if p.low() {
            theme.low_stock
        } else {
            theme.base
        };
        cx = text::put(buf, cx, y, right, " ", theme.base);
        cx = text::put(buf, cx, y, right, &format!("{:>4}", p.available), left_style);
        cx = text::put(buf, cx, y, right, &format!(" {:>4} ", p.sold), theme.base);
        for (n, (flag, style)) in all_flags[i].iter().enumerate() {
            if n > 0 {
                cx = text::put(buf, cx, y, right, " ", theme.base);
            }
            cx = text::put_trunc(buf, cx, y, right, flag, *style);
        }
    }
}
