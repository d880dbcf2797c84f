//! The host's screen (`--host-view`): read from across the studio, so few things, large. The
//! cue on now with its price, stock and talking points; the flash sale's (or giveaway's)
//! countdown in block digits; the next cue and any timed cue due; the questions waiting,
//! longest first. The operator's keys still work: the show moves on from here.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::desk::giveaways::GiveawayState;
use crate::desk::sales::SaleState;
use crate::desk::show::Cue;
use crate::desk::{clock, money};
use crate::ui::bigtext::{self, Font};
use crate::ui::layout::STATUS_ROWS;
use crate::ui::panes::show::{arrival_note, cue_label, keys, start_hint, time_on};
use crate::ui::panes::{Ctx, put_spans, sale::URGENT_SECS, status};
use crate::ui::text;

/// Longest a text of the plan is shown (it wraps; the rest is cut).
const TEXT_CAP: usize = 300;

/// A text for a wrapped paragraph, which draws what it is given: cleaned the way the cell
/// writer cleans everything else (escapes, controls and bidi controls dropped).
fn clean(s: &str) -> String {
    crate::protocol::sanitize::sanitize(s, TEXT_CAP)
}

/// Lines of block letters a cue's name may take at most.
const NAME_LINES: usize = 3;

/// The name of the cue on now in block letters, large or small, broken between words, when
/// it fits `area` with `under` rows left for the rest; `None` for the normal line.
fn big_name(name: &str, area: Rect, under: u16) -> Option<(Font, Vec<String>)> {
    [Font::Large, Font::Small].into_iter().find_map(|font| {
        let lines = bigtext::wrap(name, font, area.width)?;
        let rows = lines.len() as u16 * (font.height() + 1);
        (lines.len() <= NAME_LINES && rows + under <= area.height).then_some((font, lines))
    })
}

/// The name a cue is known by, large: the product's, a sale's product's, a giveaway's prize.
fn cue_name(ctx: &Ctx<'_>, cue: &Cue) -> Option<String> {
    let desk = ctx.desk;
    let product = |sku: &str| desk.catalog().product(sku).map(|p| p.name.clone());
    match cue {
        Cue::Product { sku, .. } => product(sku),
        Cue::Sale { id } => {
            desk.sales().all().iter().find(|s| s.spec.id == *id).and_then(|s| product(&s.spec.sku))
        }
        Cue::Giveaway { id } => {
            desk.giveaways().all().iter().find(|g| g.spec.id == *id).map(|g| g.spec.prize.clone())
        }
        Cue::Say { .. } => None,
    }
}

/// Questions listed at most, however tall the screen.
const QUESTIONS_SHOWN: usize = 8;

/// Draws the host's screen over all of `area` (the caller checked it fits).
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, team: Option<&str>) {
    let status_rows = STATUS_ROWS.min(area.height);
    let body = Rect { height: area.height - status_rows, ..area };
    header(buf, Rect { height: 1, ..body }, ctx);
    let rest = Rect { y: body.y + 1, height: body.height - 1, ..body };
    // The top half: the cue on now, and beside it the countdown.
    let top_h = (rest.height / 2 + 2).min(rest.height);
    let count_w = (rest.width * 2 / 5).max(30).min(rest.width);
    let now_area = Rect { height: top_h, width: rest.width - count_w, ..rest };
    let count_area = Rect { x: rest.x + now_area.width, width: count_w, height: top_h, ..rest };
    now_block(buf, now_area, ctx);
    countdown(buf, count_area, ctx);
    let below = Rect { y: rest.y + top_h, height: rest.height - top_h, ..rest };
    let next_h = 4.min(below.height);
    next_block(buf, Rect { height: next_h, ..below }, ctx);
    questions(buf, Rect { y: below.y + next_h, height: below.height - next_h, ..below }, ctx);
    status::draw(buf, Rect { y: body.bottom(), height: status_rows, ..area }, ctx, team);
}

/// Row 0: where the show is, and the keys that move it.
fn header(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let show = desk.show();
    buf.set_style(area, theme.status);
    let where_ = match show.current() {
        _ if show.is_empty() => " HOST · no run of show (show.toml, or --show FILE) ".to_owned(),
        Some((i, _)) => format!(" HOST · SHOW {}/{} ", i + 1, show.cues().len()),
        None => " HOST · the show has not begun ".to_owned(),
    };
    let x = put_spans(
        buf,
        area.x,
        area.y,
        area.right(),
        &[(&where_, theme.accent.add_modifier(Modifier::REVERSED))],
    );
    let mut x = x + 1;
    for (k, l) in keys(ctx) {
        x = put_spans(
            buf,
            x,
            area.y,
            area.right(),
            &[(" ", theme.status), (&k, theme.accent), (&format!(" {l} "), theme.status)],
        );
    }
}

fn block(title: &str, ctx: &Ctx<'_>) -> Block<'static> {
    Block::bordered()
        .border_style(ctx.theme.border)
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

/// The cue on now, large: a product's name, price, stock left and points; a sale's product
/// at its price; a giveaway's prize and keyword; words to say.
fn now_block(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let show = desk.show();
    let title = match show.current().and_then(|(_, c)| time_on(desk, c)) {
        Some(on) => format!("Now · {on}"),
        None => "Now".to_owned(),
    };
    let b = block(&title, ctx);
    let mut inner = b.inner(area);
    b.render(area, buf);
    let big = theme.title.add_modifier(Modifier::BOLD);
    let currency = &desk.catalog().currency;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let Some((_, cue)) = show.current() else {
        let first = show.next().map_or_else(|| "Nothing planned".to_owned(), |(_, c)| cue_label(desk, c));
        lines.push(Line::styled("Up first:", theme.dim));
        lines.push(Line::styled(clean(&first), big));
        Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
        return;
    };
    match cue {
        Cue::Product { sku, points, .. } => {
            match desk.catalog().product(sku) {
                Some(p) => {
                    lines.push(Line::styled(clean(&p.name), big));
                    let stock = if p.available == 0 {
                        theme.sold_out
                    } else if p.available <= p.low_stock {
                        theme.low_stock
                    } else {
                        theme.ok
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            money::format(p.price, currency),
                            theme.base.add_modifier(Modifier::BOLD),
                        ),
                        Span::styled("  ·  ", theme.dim),
                        Span::styled(format!("{} left", p.available), stock.add_modifier(Modifier::BOLD)),
                    ]));
                }
                None => lines.push(Line::styled(clean(sku), big)),
            }
            lines.push(Line::raw(""));
            for point in points {
                lines.push(Line::from(vec![
                    Span::styled("• ", theme.accent),
                    Span::styled(clean(point), theme.base),
                ]));
            }
        }
        Cue::Sale { id } => {
            lines.push(Line::styled(clean(&cue_label(desk, cue)), big));
            if let Some(s) = desk.sales().all().iter().find(|s| s.spec.id == *id) {
                let state = match s.state {
                    SaleState::Planned => "not started".to_owned(),
                    SaleState::Ended { .. } => format!("ended · {} sold", s.sold()),
                    _ => format!("{} of {} left", s.left(), s.spec.quantity),
                };
                lines.push(Line::styled(clean(&format!("{id} · {state}")), theme.base));
            }
        }
        Cue::Giveaway { id } => {
            lines.push(Line::styled(clean(&cue_label(desk, cue)), big));
            if let Some(g) = desk.giveaways().all().iter().find(|g| g.spec.id == *id) {
                lines
                    .push(Line::styled(clean(&format!("Comment “{}” to enter", g.spec.keyword)), theme.base));
                if g.state != GiveawayState::Planned {
                    lines.push(Line::styled(format!("{} entered", g.entrants.len()), theme.dim));
                }
            }
        }
        Cue::Say { text, .. } => lines.push(Line::styled(clean(text), big)),
    }
    if let Some((key, what)) = start_hint(ctx, cue) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(clean(&format!("operator: {key} {what}")), theme.accent));
    }
    // The name in block letters when it fits with the rest under it, cleaned like every text
    // here: it stands for a product's name line, and heads a sale's or giveaway's.
    let name_line = matches!(cue, Cue::Product { sku, .. } if desk.catalog().product(sku).is_some());
    let under = (lines.len() - usize::from(name_line)) as u16;
    if let Some((font, name_lines)) = cue_name(ctx, cue).and_then(|n| big_name(&clean(&n), inner, under)) {
        for line in &name_lines {
            bigtext::render(buf, inner.x, inner.y, line, font, big);
            let step = font.height() + 1;
            inner = Rect { y: inner.y + step, height: inner.height - step, ..inner };
        }
        if name_line {
            lines.remove(0);
        }
    }
    Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
}

/// The most urgent running flash sale's countdown in block digits (else the open
/// giveaway's), with what is left.
fn countdown(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let now = desk.now();
    let running = desk.sales().by_urgency(now);
    let (title, time, style, under) = if let Some(sale) = running.first() {
        let left = sale.countdown(now);
        let style =
            if left.num_milliseconds() <= URGENT_SECS * 1000 { theme.sale_urgent } else { theme.sale };
        let what = match sale.state {
            SaleState::Preheat { .. } => "starts in".to_owned(),
            SaleState::Paused { .. } => "PAUSED".to_owned(),
            _ => format!("{} of {} left", sale.left(), sale.spec.quantity),
        };
        ("Flash sale", clock(left), style, format!("{} · {what}", sale.spec.id))
    } else if let Some(g) = desk.giveaways().open() {
        (
            "Giveaway",
            clock(g.remaining(now)),
            theme.accent,
            format!("“{}” · {} entered", g.spec.keyword, g.entrants.len()),
        )
    } else {
        let b = block("Flash sale", ctx);
        let inner = b.inner(area);
        b.render(area, buf);
        text::put_trunc(buf, inner.x, inner.y, inner.right(), "No sale running", theme.dim);
        return;
    };
    let b = block(title, ctx);
    let inner = b.inner(area);
    b.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let font = [Font::Large, Font::Small]
        .into_iter()
        .find(|f| inner.height > f.height() && bigtext::width(&time, *f) <= inner.width);
    let mut y = inner.y;
    match font {
        Some(font) => {
            let w = bigtext::width(&time, font);
            bigtext::render(buf, inner.x + (inner.width - w) / 2, y, &time, font, style);
            y += font.height();
        }
        None => {
            text::put_trunc(buf, inner.x, y, inner.right(), &time, style.add_modifier(Modifier::BOLD));
            y += 1;
        }
    }
    if y < inner.bottom() {
        text::put_trunc(buf, inner.x, y, inner.right(), &under, theme.base.add_modifier(Modifier::BOLD));
    }
}

/// The next cue, and a timed cue that has come due ahead of the show.
fn next_block(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let show = desk.show();
    let b = block("Next", ctx);
    let inner = b.inner(area);
    b.render(area, buf);
    let mut y = inner.y;
    if let Some((_, cue)) = show.due().next()
        && y < inner.bottom()
    {
        let x = put_spans(
            buf,
            inner.x,
            y,
            inner.right(),
            &[(" DUE ", theme.warn.add_modifier(Modifier::REVERSED)), (" ", theme.base)],
        );
        text::put_trunc(
            buf,
            x,
            y,
            inner.right(),
            &cue_label(desk, cue),
            theme.warn.add_modifier(Modifier::BOLD),
        );
        y += 1;
    }
    if y < inner.bottom() {
        let next = match show.next() {
            Some((_, cue)) => cue_label(desk, cue) + arrival_note(desk).unwrap_or_default(),
            None if show.is_empty() => String::new(),
            None => "Last cue: the show ends here".to_owned(),
        };
        text::put_trunc(buf, inner.x, y, inner.right(), &next, theme.title);
    }
}

/// The questions waiting for an answer, the longest waiting first.
fn questions(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let chat = desk.chat();
    let b = block(&format!("Questions waiting · {}", chat.unanswered_count()), ctx);
    let inner = b.inner(area);
    b.render(area, buf);
    let rows = usize::from(inner.height).min(QUESTIONS_SHOWN);
    for (row, m) in chat.unanswered_questions().take(rows).enumerate() {
        let y = inner.y + row as u16;
        let x = put_spans(
            buf,
            inner.x,
            y,
            inner.right(),
            &[(&m.user_name, theme.question.add_modifier(Modifier::BOLD)), (": ", theme.dim)],
        );
        text::put_trunc(buf, x, y, inner.right(), &m.text, theme.base);
    }
    if chat.unanswered_count() == 0 && !inner.is_empty() {
        text::put_trunc(buf, inner.x, inner.y, inner.right(), "None waiting", theme.dim);
    }
}
