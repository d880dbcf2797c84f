//! The giveaway strip atop the Flash sale pane: the open giveaway's countdown, its keyword
//! and how many entered; after the draw, its winners and the seed anyone can check.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::{Ctx, put_spans};
use crate::config::keymap::KeyAction;
use crate::desk::clock;
use crate::desk::giveaways::{Giveaway, GiveawayState};
use crate::ui::text;

/// Seconds left at which the giveaway's countdown turns urgent.
const URGENT_SECS: i64 = 10;

/// Draws the strip at the top of `inner`; returns the rows it took (none when no giveaway
/// is open or drawn, or the pane is too short to spare them).
pub fn draw(buf: &mut Buffer, inner: Rect, ctx: &Ctx<'_>) -> u16 {
    let giveaways = ctx.desk.giveaways();
    let Some(g) = giveaways.open().or_else(|| giveaways.last_drawn()) else { return 0 };
    if inner.height < 5 {
        return 0;
    }
    let (theme, now) = (ctx.theme, ctx.desk.now());
    let (x, right) = (inner.x, inner.right());
    let (badge, style) = match g.state {
        GiveawayState::Open { .. } if g.remaining(now).num_milliseconds() <= URGENT_SECS * 1000 => {
            (" GIVEAWAY ", theme.sale_urgent)
        }
        GiveawayState::Open { .. } => (" GIVEAWAY ", theme.accent),
        _ => (" WINNERS ", theme.ok),
    };
    let nx = put_spans(
        buf,
        x,
        inner.y,
        right,
        &[(badge, style.add_modifier(Modifier::REVERSED)), (" ", theme.base), (&g.spec.id, theme.title)],
    );
    text::put_trunc(buf, nx, inner.y, right, &format!(" · {}", g.spec.prize), theme.dim);
    let y = inner.y + 1;
    match g.state {
        GiveawayState::Open { .. } => {
            let time = clock(g.remaining(now));
            let nx = put_spans(
                buf,
                x,
                y,
                right,
                &[
                    (&time, style.add_modifier(Modifier::BOLD)),
                    (&format!(" “{}” ", g.spec.keyword), theme.base),
                ],
            );
            let mut what = format!("· {} entered", g.entrants.len());
            let refused = g.refused.ruled_out();
            if refused > 0 {
                what.push_str(&format!(", {refused} refused"));
            }
            if let Some(key) = ctx.key(KeyAction::DrawGiveaway) {
                what.push_str(&format!(" · {key} draw now"));
            }
            text::put_trunc(buf, nx, y, right, &what, theme.dim);
        }
        _ => {
            draw_winners(buf, x, y, right, g, ctx);
            return 3;
        }
    }
    2
}

/// The winners' names, then how many entered and the seed, a row each.
fn draw_winners(buf: &mut Buffer, x: u16, y: u16, right: u16, g: &Giveaway, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let names: Vec<String> = g.winners().map(|w| format!("@{}", w.name)).collect();
    let who = if names.is_empty() { "no one entered".to_owned() } else { names.join(" ") };
    text::put_trunc(buf, x, y, right, &who, theme.base.add_modifier(Modifier::BOLD));
    let seed = g.drawn_seed().map(|s| s.to_string()).unwrap_or_default();
    let detail = format!("{} entered · seed {seed}", g.entrants.len());
    text::put_trunc(buf, x, y + 1, right, &detail, theme.dim);
}
