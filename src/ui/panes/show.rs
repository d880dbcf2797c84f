//! The run of show's line on the operator's screen: the cue on now and how long it has been
//! on, the next cue, a timed cue that has come due, and the keys that move the show (and
//! start the sale or giveaway the cue names), kept at the right edge where a long cue cannot
//! hide them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::{Ctx, fill_row, put_spans};
use crate::config::keymap::KeyAction;
use crate::desk::show::Cue;
use crate::desk::{Desk, clock, money};
use crate::ui::text;

/// A cue in a few words: what the host does.
pub fn cue_label(desk: &Desk, cue: &Cue) -> String {
    let currency = &desk.catalog().currency;
    match cue {
        Cue::Product { sku, .. } => {
            desk.catalog().product(sku).map_or_else(|| sku.clone(), |p| p.name.clone())
        }
        Cue::Sale { id } => match desk.sales().all().iter().find(|s| s.spec.id == *id) {
            Some(s) => {
                let name =
                    desk.catalog().product(&s.spec.sku).map_or(s.spec.sku.as_str(), |p| p.name.as_str());
                format!("Flash sale: {name} at {}", money::format(s.spec.price, currency))
            }
            None => format!("Flash sale {id}"),
        },
        Cue::Giveaway { id } => match desk.giveaways().all().iter().find(|g| g.spec.id == *id) {
            Some(g) => format!("Giveaway: {}", g.spec.prize),
            None => format!("Giveaway {id}"),
        },
        Cue::Say { text, .. } => format!("Say: {text}"),
    }
}

/// The key that starts the cue on now, from the active keymap, while its sale or giveaway
/// waits: `("s", "starts almond-rush")`, so the operator sees what to press.
pub fn start_hint(ctx: &Ctx<'_>, cue: &Cue) -> Option<(String, String)> {
    let (action, id) = match cue {
        Cue::Sale { id } => (KeyAction::StartSale, id),
        Cue::Giveaway { id } => (KeyAction::StartGiveaway, id),
        _ => return None,
    };
    if !ctx.desk.cue_waits_to_start(cue) {
        return None;
    }
    ctx.key(action).map(|k| (k, format!("starts {id}")))
}

/// Words after the next cue when reaching it starts its sale or giveaway (`start = true`).
pub fn arrival_note(desk: &Desk) -> Option<&'static str> {
    desk.show().next().filter(|(i, _)| desk.cue_starts_on_arrival(*i)).map(|_| " · starts when reached")
}

/// How long the cue on now has been on, against the minutes planned for it: "3:12 of 5:00".
pub fn time_on(desk: &Desk, cue: &Cue) -> Option<String> {
    let on = clock(desk.show().on_for(desk.now())?);
    Some(match cue {
        Cue::Product { minutes: Some(m), .. } => format!("{on} of {m}:00"),
        _ => on,
    })
}

/// The keys that move the show, as `(key, label)`; when the next cue starts its sale or
/// giveaway on arrival, the next-cue key says so, since pressing it starts one.
pub fn keys(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let show = ctx.desk.show();
    let next = match show.next() {
        Some((i, Cue::Sale { id } | Cue::Giveaway { id })) if ctx.desk.cue_starts_on_arrival(i) => {
            format!("next, starts {id}")
        }
        _ if show.current().is_none() => "start the show".to_owned(),
        _ => "next cue".to_owned(),
    };
    let mut keys: Vec<(String, String)> =
        ctx.key(KeyAction::NextCue).map(|k| (k, next)).into_iter().collect();
    keys.extend(ctx.hints(&[(KeyAction::PreviousCue, "back")]).into_iter().map(|(k, l)| (k, l.to_owned())));
    keys
}

/// Draws the one-row line; nothing when there is no show.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let show = desk.show();
    if area.is_empty() || show.is_empty() {
        return;
    }
    fill_row(buf, area, area.y, theme.base);
    let (y, right) = (area.y, area.right());
    // The keys first, at the right edge, so a long cue never hides how to move on.
    let mut hints: Vec<(String, String)> =
        show.current().and_then(|(_, c)| start_hint(ctx, c)).into_iter().collect();
    hints.extend(keys(ctx));
    let hint_w: usize = hints.iter().map(|(k, l)| text::width(k) + text::width(l) + 3).sum::<usize>() + 1;
    let text_right = right.saturating_sub(hint_w as u16).max(area.x);
    let mut hx = text_right;
    for (k, l) in &hints {
        hx = put_spans(
            buf,
            hx,
            y,
            right,
            &[("  ", theme.base), (k, theme.accent), (&format!(" {l}"), theme.dim)],
        );
    }
    let badge = match show.current() {
        Some((i, _)) => format!(" SHOW {}/{} ", i + 1, show.cues().len()),
        None => " SHOW ".to_owned(),
    };
    let mut x =
        put_spans(buf, area.x, y, text_right, &[(&badge, theme.accent.add_modifier(Modifier::REVERSED))]);
    let part = |buf: &mut Buffer, x: u16, s: &str, style: Style| text::put(buf, x, y, text_right, s, style);
    match show.current() {
        Some((_, cue)) => {
            x = part(buf, x, &format!(" {}", cue_label(desk, cue)), theme.title);
            if let Some(on) = time_on(desk, cue) {
                x = part(buf, x, &format!("  {on}"), theme.dim);
            }
        }
        None => x = part(buf, x, " not begun", theme.dim),
    }
    if let Some((_, cue)) = show.due().next() {
        x = part(buf, x, "  │ ", theme.border);
        x = part(buf, x, &format!("DUE {}", cue_label(desk, cue)), theme.warn.add_modifier(Modifier::BOLD));
    }
    match show.next() {
        Some((_, cue)) => {
            let lead = if show.current().is_none() { "first: " } else { "next: " };
            x = part(buf, x, "  │ ", theme.border);
            x = part(buf, x, lead, theme.dim);
            x = part(buf, x, &cue_label(desk, cue), theme.base);
            if let Some(note) = arrival_note(desk) {
                part(buf, x, note, theme.accent);
            }
        }
        None => {
            part(buf, x, "  │ last cue", theme.dim);
        }
    }
}
