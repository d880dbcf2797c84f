//! The flash-sale pane: the most urgent running sale's countdown in big digits ("starts
//! in" during its preheat, frozen while paused, with its last-seconds warning), how much of
//! it has sold, its price, one line for each other running sale, and the plan of sales below;
//! above them, the giveaway strip while a giveaway is open or just drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::{Ctx, fill_row, frame, put_spans, scroll_offset};
use crate::config::keymap::KeyAction;
use crate::desk::money;
use crate::desk::sales::{Sale, SaleState};
use crate::desk::{Desk, clock};
use crate::ui::bigtext::{self, Font};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{Pane, ViewState};

/// Seconds left at which the countdown turns urgent.
pub const URGENT_SECS: i64 = 30;

/// Draws the pane and records the plan rows for the mouse.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, view: &mut ViewState, focused: bool) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let running = desk.sales().by_urgency(desk.now());
    let mut hints = if running.is_empty() {
        ctx.hints(&[(KeyAction::StartSale, "start")])
    } else {
        let paused = view.pause_target(desk).is_some_and(|s| matches!(s.state, SaleState::Paused { .. }));
        let pause = if paused { "resume" } else { "pause" };
        ctx.hints(&[
            (KeyAction::ExtendSale, "+30s"),
            (KeyAction::EndSale, "end"),
            (KeyAction::PauseSale, pause),
        ])
    };
    let giveaways = desk.giveaways();
    if giveaways.open().is_none() && giveaways.next_planned().is_some() {
        hints.extend(ctx.hints(&[(KeyAction::StartGiveaway, "giveaway")]));
    }
    let inner = frame(buf, area, Pane::Sale.title(), vec![], &hints, focused, theme);
    view.hits.sale_rows = Rect::default();
    if inner.is_empty() {
        return;
    }
    let strip = super::giveaway::draw(buf, inner, ctx);
    let inner = Rect { y: inner.y + strip, height: inner.height - strip, ..inner };
    let plan_min = u16::from(!desk.sales().all().is_empty());
    let used = match running.split_first() {
        Some((sale, others)) => draw_running(buf, inner, ctx, sale, others, plan_min),
        None => draw_idle(buf, inner, ctx),
    };
    let plan = Rect::new(inner.x, inner.y + used, inner.width, inner.height.saturating_sub(used));
    draw_plan(buf, plan, desk, theme, view);
}

/// How a running sale looks: its badge and the style of its clock.
fn look(sale: &Sale, now: chrono::DateTime<chrono::Utc>, theme: &Theme) -> (String, Style) {
    match sale.state {
        SaleState::Preheat { .. } => (" STARTS IN ".into(), theme.accent),
        SaleState::Paused { .. } => (" PAUSED ".into(), theme.warn),
        _ => match sale.warning(now) {
            Some(secs) => (format!(" {secs} s LEFT "), theme.sale_urgent),
            None if sale.remaining(now).num_milliseconds() <= URGENT_SECS * 1000 => {
                (" ENDING ".into(), theme.sale_urgent)
            }
            None => (" LIVE ".into(), theme.sale),
        },
    }
}

/// The most urgent running sale, big, and the others as lines; returns the rows it used.
fn draw_running(
    buf: &mut Buffer,
    inner: Rect,
    ctx: &Ctx<'_>,
    sale: &Sale,
    others: &[&Sale],
    plan_min: u16,
) -> u16 {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let (x, right, w) = (inner.x, inner.right(), inner.width);
    let (badge, style) = look(sale, desk.now(), theme);
    let product = desk.catalog().product(&sale.spec.sku);
    let name = product.map_or(sale.spec.sku.as_str(), |p| p.name.as_str());

    let mut y = inner.y;
    let nx = put_spans(
        buf,
        x,
        y,
        right,
        &[(&badge, style.add_modifier(Modifier::REVERSED)), (" ", theme.base), (&sale.spec.id, theme.title)],
    );
    text::put_trunc(buf, nx, y, right, &format!(" · {name}"), theme.dim);
    y += 1;

    let time = clock(sale.countdown(desk.now()));
    let other_rows = u16::try_from(others.len()).unwrap_or(u16::MAX);
    let rest = inner.height.saturating_sub(3).saturating_sub(other_rows);
    let font = [Font::Large, Font::Small]
        .into_iter()
        .find(|f| rest >= f.height() + plan_min && bigtext::width(&time, *f) <= w);
    match font {
        Some(font) => {
            let dw = bigtext::width(&time, font);
            bigtext::render(buf, x + (w - dw) / 2, y, &time, font, style);
            y += font.height();
        }
        None => {
            let line = match sale.state {
                SaleState::Preheat { .. } => format!("starts in {time}"),
                SaleState::Paused { .. } => format!("{time} left, paused"),
                _ => format!("{time} left"),
            };
            super::centered_line(buf, inner, y, &line, style.add_modifier(Modifier::BOLD));
            y += 1;
        }
    }
    if y >= inner.bottom() {
        return inner.height;
    }

    // Sold so far, as a bar.
    let (sold, qty) = (sale.sold(), sale.spec.quantity);
    let label = format!(" {sold}/{qty} sold");
    let bar_w = usize::from(w).saturating_sub(text::width(&label));
    let filled = if qty == 0 { bar_w } else { (bar_w * sold.min(qty) as usize) / qty as usize };
    let bx = text::put(buf, x, y, right, &"█".repeat(filled), style);
    let bx = text::put(buf, bx, y, right, &"░".repeat(bar_w - filled), theme.dim);
    text::put(buf, bx, y, right, &label, theme.base.add_modifier(Modifier::BOLD));
    y += 1;
    if y >= inner.bottom() {
        return inner.height;
    }

    // Price against the normal price, and what is left.
    let currency = &desk.catalog().currency;
    let price = money::format(sale.spec.price, currency);
    let mut px = text::put(buf, x, y, right, &price, theme.sale.add_modifier(Modifier::BOLD));
    if let Some(p) = product.filter(|p| p.price > sale.spec.price) {
        px = text::put(buf, px, y, right, "  was ", theme.dim);
        px = text::put(
            buf,
            px,
            y,
            right,
            &money::format(p.price, currency),
            theme.dim.add_modifier(Modifier::CROSSED_OUT),
        );
    }
    let left = sale.left();
    px = text::put(buf, px, y, right, &format!("  {left} left"), theme.base.add_modifier(Modifier::BOLD));
    if let Some(p) = product.filter(|p| p.available < left) {
        text::put_trunc(buf, px, y, right, &format!(" (stock {})", p.available), theme.danger);
    }
    y += 1;

    // The other running sales, one line each.
    for other in others {
        if y >= inner.bottom() {
            return inner.height;
        }
        let (badge, style) = look(other, desk.now(), theme);
        let time = clock(other.countdown(desk.now()));
        let what = format!(" {time} · {}/{}", other.sold(), other.spec.quantity);
        put_spans(
            buf,
            x,
            y,
            right,
            &[
                (badge.trim(), style.add_modifier(Modifier::BOLD)),
                (" ", theme.base),
                (&other.spec.id, theme.title),
                (&what, theme.base),
            ],
        );
        y += 1;
    }
    y - inner.y
}

/// No sale running: say so and name the key that starts the next one.
fn draw_idle(buf: &mut Buffer, inner: Rect, ctx: &Ctx<'_>) -> u16 {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let (x, right) = (inner.x, inner.right());
    text::put_trunc(buf, x, inner.y, right, "No flash sale running", theme.base.add_modifier(Modifier::BOLD));
    if inner.height < 2 {
        return inner.height;
    }
    let y = inner.y + 1;
    match desk.sales().next_planned() {
        Some(next) => {
            let mut nx = x;
            if let Some(key) = ctx.key(KeyAction::StartSale) {
                nx = put_spans(
                    buf,
                    nx,
                    y,
                    right,
                    &[(&key, theme.accent.add_modifier(Modifier::BOLD)), (" start ", theme.dim)],
                );
            } else {
                nx = text::put(buf, nx, y, right, "next ", theme.dim);
            }
            let mut what = format!(
                "{} · {} ×{} · {}",
                next.spec.id,
                money::format(next.spec.price, &desk.catalog().currency),
                next.spec.quantity,
                clock(chrono::Duration::seconds(i64::from(next.spec.seconds)))
            );
            if let Some(at) = next.scheduled() {
                what.push_str(&format!(" · at {}", at.format("%H:%M")));
            }
            text::put_trunc(buf, nx, y, right, &what, theme.base);
        }
        None => {
            text::put_trunc(buf, x, y, right, "No planned sales left", theme.dim);
        }
    }
    2.min(inner.height)
}

/// A plan row's state, and whether it is running (drawn in the sale style).
fn state_text(sale: &Sale, now: chrono::DateTime<chrono::Utc>) -> (String, bool) {
    let (sold, qty) = (sale.sold(), sale.spec.quantity);
    match sale.state {
        // A scheduled sale says when it starts by itself.
        SaleState::Planned => match sale.scheduled() {
            Some(at) => (format!("at {}", at.format("%H:%M")), false),
            None => ("planned".into(), false),
        },
        SaleState::Preheat { .. } => (format!("STARTS {}", clock(sale.countdown(now))), true),
        SaleState::Live { .. } => (format!("LIVE {sold}/{qty}"), true),
        SaleState::Paused { .. } => (format!("PAUSED {sold}/{qty}"), true),
        SaleState::Ended { reason } => (format!("{} {sold}/{qty}", reason.label()), false),
    }
}

/// The plan: one selectable row per sale.
fn draw_plan(buf: &mut Buffer, area: Rect, desk: &Desk, theme: &Theme, view: &mut ViewState) {
    let sales = desk.sales().all();
    if area.is_empty() || sales.is_empty() {
        return;
    }
    let mut rows = area;
    if area.height >= 2 {
        let rule = format!("── plan {}", "─".repeat(usize::from(area.width)));
        text::put(buf, area.x, area.y, area.right(), &rule, theme.dim);
        rows = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    }
    view.hits.sale_rows = rows;
    let list = &mut view.sale;
    list.offset = scroll_offset(list.selected, list.offset, sales.len(), usize::from(rows.height));
    let states: Vec<(String, bool)> = sales.iter().map(|s| state_text(s, desk.now())).collect();
    let id_w =
        sales.iter().map(|s| text::width(&s.spec.id)).max().unwrap_or(0).min(usize::from(rows.width) / 2);
    let state_w = states.iter().map(|(s, _)| text::width(s)).max().unwrap_or(0);
    let currency = &desk.catalog().currency;
    for (row, i) in (list.offset..sales.len()).take(usize::from(rows.height)).enumerate() {
        let (sale, (state, running)) = (&sales[i], &states[i]);
        let y = rows.y + row as u16;
        if list.selected == Some(i) {
            fill_row(buf, rows, y, theme.selected);
        }
        let ended = matches!(sale.state, SaleState::Ended { .. });
        let base = if ended { theme.dim } else { theme.base };
        let id = format!("{:<w$}", text::truncate(&sale.spec.id, id_w), w = id_w);
        let state_style = if *running { theme.sale } else { theme.dim };
        let state = format!(" {state:<state_w$} ");
        let px = put_spans(
            buf,
            rows.x,
            y,
            rows.right(),
            &[(&id, base.add_modifier(Modifier::BOLD)), (&state, state_style)],
        );
        // Drop the duration, then the per-customer limit, then the quantity, before cutting
        // anything.
        let price = money::format(sale.spec.price, currency);
        let qty = format!("{price} ×{}", sale.spec.quantity);
        let limit = match sale.spec.per_customer {
            Some(n) => format!("{qty} ≤{n} each"),
            None => qty.clone(),
        };
        let full = format!("{limit} {}", clock(chrono::Duration::seconds(i64::from(sale.spec.seconds))));
        let room = usize::from(rows.right().saturating_sub(px));
        let rest = [full, limit, qty, price].into_iter().find(|s| text::width(s) <= room).unwrap_or_default();
        text::put(buf, px, y, rows.right(), &rest, base);
    }
}
