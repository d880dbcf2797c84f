//! The stock pane: what is left of each product and what is held for claims, with the
//! warnings that stop an oversell. Sold-out, low and oversold products are counted in the
//! title too, so they show even when their rows are scrolled away. A product the forecast
//! says sells out soon gets "out in ~2 min", and the soonest a prompt of what the operator
//! can do about it, with the keys that do it (worded in `sell_out`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::{Ctx, fill_row, frame, scroll_offset, sell_out};
use crate::config::keymap::KeyAction;
use crate::desk::catalog::{Catalog, Product};
use crate::desk::forecast::SellOut;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{Pane, ViewState};

/// Marker, gaps and the left and held number columns.
const FIXED: usize = 1 + 1 + 4 + 1 + 4 + 1;
/// The sold column, shown when the pane is wide enough.
const SOLD_W: usize = 5;
/// Inside width from which the sold column shows.
const SOLD_FROM: usize = 40;
/// Rows the sell-out prompt may take at most (the layout gives the pane these more).
pub const PROMPT_ROWS: u16 = 3;
/// Columns kept for flags before the SKU may grow.
const FLAGS_MIN: usize = 10;

/// What a row names: the SKU, after its code when it has one; a variant, under its
/// product, by its code and the words that tell it from its siblings ("└ AM medium").
fn label(p: &Product, catalog: &Catalog) -> String {
    let Some(parent) = p.parent.as_deref().and_then(|sku| catalog.product(sku)) else {
        return match &p.code {
            Some(code) => format!("{code} {}", p.sku),
            None => p.sku.clone(),
        };
    };
    let name = p.name.strip_prefix(&format!("{}, ", parent.name)).unwrap_or(&p.sku);
    match &p.code {
        Some(code) => format!(" └ {code} {name}"),
        None => format!(" └ {name}"),
    }
}

/// The flags of a product, most urgent first: a forecast sell-out comes before "low".
fn flags(
    p: &Product,
    on_sale: bool,
    pinned: bool,
    out_in: Option<&SellOut>,
    theme: &Theme,
) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    if p.oversold > 0 {
        out.push((format!("OVERSOLD {}", p.oversold), theme.danger.add_modifier(Modifier::BOLD)));
    }
    if let Some(f) = out_in {
        let style = if f.soon() { theme.warn.add_modifier(Modifier::BOLD) } else { theme.warn };
        out.push((format!("out in {}", f.label()), style));
    }
    if p.on_hand == 0 {
        out.push(("SOLD OUT".into(), theme.sold_out.add_modifier(Modifier::BOLD)));
    } else if p.sold_out() {
        out.push(("ALL HELD".into(), theme.sold_out.add_modifier(Modifier::BOLD)));
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
    let hints = ctx.hints(&[
        (KeyAction::PinProduct, "pin"),
        (KeyAction::AdjustStock, "adjust"),
        (KeyAction::UnpinProduct, "unpin"),
    ]);
    // What the frame leaves for the banner after the pane's name (see `frame`).
    let room = usize::from(area.width.saturating_sub(4)).saturating_sub(Pane::Stock.title().len() + 6);
    let inner = frame(buf, area, Pane::Stock.title(), banner(ctx, room), &hints, focused, theme);
    view.hits.stock_rows = Rect::default();
    if inner.height < 2 {
        return;
    }
    let products = desk.catalog().products();
    let w = usize::from(inner.width);
    let pinned = |p: &Product| desk.pinned() == Some(p.sku.as_str());
    let forecasts = desk.sell_outs(desk.now());
    let forecast = |p: &Product| forecasts.iter().find(|f| f.sku == p.sku);
    let all_flags: Vec<Vec<(String, Style)>> = products
        .iter()
        .map(|p| flags(p, desk.sales().on_sale(&p.sku), pinned(p), forecast(p), theme))
        .collect();
    // The SKU column shrinks only as far as the flags shown need (the first flag, at least).
    let flags_w = all_flags
        .iter()
        .filter_map(|f| f.first().map(|(t, _)| text::width(t)))
        .max()
        .map_or(0, |w| w.max(FLAGS_MIN));
    let sold_col = w >= SOLD_FROM;
    let fixed = FIXED + if sold_col { SOLD_W } else { 0 };
    let labels: Vec<String> = products.iter().map(|p| label(p, desk.catalog())).collect();
    let sku_max = labels.iter().map(|l| text::width(l)).max().unwrap_or(3).max(3);
    let sku_w = sku_max.min(w.saturating_sub(fixed + flags_w)).max(6);
    let (x, right) = (inner.x, inner.right());

    let mut header = format!(" {:<sku_w$} {:>4} {:>4} ", "SKU", "left", "held");
    if sold_col {
        header.push_str(&format!("{:>4} ", "sold"));
    }
    text::put(buf, x, inner.y, right, &header, theme.dim.add_modifier(Modifier::BOLD));
    let mut rows = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    // The prompt takes the bottom rows, leaving one product row at least.
    if let Some(f) = forecasts.first().filter(|f| f.soon()) {
        let room = PROMPT_ROWS.min(rows.height.saturating_sub(1));
        let lines = sell_out::prompt(ctx, view, f, w, usize::from(room));
        let n = (lines.len() as u16).min(room);
        rows.height -= n;
        for (k, line) in lines.iter().take(usize::from(n)).enumerate() {
            let y = rows.bottom() + k as u16;
            let mut cx = x;
            for (t, style) in line {
                cx = text::put(buf, cx, y, right, t, *style);
            }
        }
    }
    view.hits.stock_rows = rows;
    if products.is_empty() {
        text::put(buf, x, rows.y, right, " No products in the catalog", theme.dim);
        return;
    }

    // With no row selected, the list scrolls to the product the prompt is about.
    let prompted =
        forecasts.first().filter(|f| f.soon()).and_then(|f| products.iter().position(|p| p.sku == f.sku));
    let list = &mut view.stock;
    let keep_in_view = list.selected.or(prompted);
    list.offset = scroll_offset(keep_in_view, list.offset, products.len(), usize::from(rows.height));
    for (row, i) in (list.offset..products.len()).take(usize::from(rows.height)).enumerate() {
        let p = &products[i];
        let y = rows.y + row as u16;
        if list.selected == Some(i) {
            fill_row(buf, rows, y, theme.selected);
        }
        let on_sale = desk.sales().on_sale(&p.sku);
        let mark = if pinned(p) { "*" } else { " " };
        let mut cx = text::put(buf, x, y, right, mark, theme.accent.add_modifier(Modifier::BOLD));
        let sku_style = if on_sale { theme.sale } else { theme.base.add_modifier(Modifier::BOLD) };
        let sku = format!("{:<sku_w$}", text::truncate(&labels[i], sku_w));
        cx = text::put(buf, cx, y, right, &sku, sku_style);
        let left_style = if p.sold_out() {
            theme.sold_out.add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else if p.low() {
            theme.low_stock.add_modifier(Modifier::BOLD)
        } else {
            theme.base
        };
        cx = text::put(buf, cx, y, right, " ", theme.base);
        cx = text::put(buf, cx, y, right, &format!("{:>4}", p.available), left_style);
        let held = if p.reserved > 0 { p.reserved.to_string() } else { "·".into() };
        let held_style = if p.reserved > 0 { theme.accent } else { theme.dim };
        cx = text::put(buf, cx, y, right, " ", theme.base);
        cx = text::put(buf, cx, y, right, &format!("{held:>4}"), held_style);
        cx = text::put(buf, cx, y, right, " ", theme.base);
        if sold_col {
            cx = text::put(buf, cx, y, right, &format!("{:>4} ", p.sold), theme.base);
        }
        for (n, (flag, style)) in all_flags[i].iter().enumerate() {
            if n > 0 {
                cx = text::put(buf, cx, y, right, " ", theme.base);
            }
            cx = text::put_trunc(buf, cx, y, right, flag, *style);
        }
    }
}

/// The title's count of products that need the operator, most urgent first, as many as fit
/// in `room` columns: oversold, sold out, low.
fn banner(ctx: &Ctx<'_>, room: usize) -> Vec<Span<'static>> {
    let (products, theme) = (ctx.desk.catalog().products(), ctx.theme);
    let out_n = products.iter().filter(|p| p.sold_out()).count();
    let low_n = products.iter().filter(|p| p.low()).count();
    let over_n = products.iter().filter(|p| p.oversold > 0).count();
    let mut spans = Vec::new();
    let mut used = 0;
    let mut push = |text: String, style: Style| {
        let gap = usize::from(!spans.is_empty());
        if used + gap + text::width(&text) > room {
            return;
        }
        used += gap + text::width(&text);
        if gap > 0 {
            spans.push(Span::styled(" ", theme.base));
        }
        spans.push(Span::styled(text, style));
    };
    if over_n > 0 {
        push(format!("{over_n} OVERSOLD"), theme.danger.add_modifier(Modifier::BOLD | Modifier::REVERSED));
    }
    if out_n > 0 {
        push(format!("{out_n} OUT"), theme.sold_out.add_modifier(Modifier::BOLD | Modifier::REVERSED));
    }
    if low_n > 0 {
        push(format!("{low_n} LOW"), theme.low_stock.add_modifier(Modifier::BOLD));
    }
    spans
}
