//! The status bar: where the feed comes from and how healthy it is, the stream's figures,
//! the latest notice, and the keys that matter most. Lower-priority items drop first when
//! the terminal is narrow.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::config::keymap::KeyAction;
use crate::desk::{Level, Link, clock, money};
use crate::protocol::StreamState;
use crate::ui::text;

/// How long a notice stays in the status bar.
pub const NOTICE_SECS: i64 = 8;
/// How long the status bar says the platform restarted its numbering.
const RENUMBERED_SECS: i64 = 60;

/// The hints, in the order they are dropped last to first.
const HINTS: [(KeyAction, &str); 7] = [
    (KeyAction::Help, "help"),
    (KeyAction::Quit, "quit"),
    (KeyAction::StartSale, "sale"),
    (KeyAction::EndSale, "end sale"),
    (KeyAction::ExtendSale, "+30s"),
    (KeyAction::PinProduct, "pin"),
    (KeyAction::FocusNext, "next pane"),
];

struct Item {
    text: String,
    style: Style,
    /// Lower survives longer.
    priority: u8,
}

fn items(ctx: &Ctx<'_>, team: Option<&str>) -> Vec<Item> {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let bar = theme.status;
    let mut out = Vec::new();
    let mut push = |text: String, style: Style, priority: u8| out.push(Item { text, style, priority });
    if desk.demo() {
        push(" DEMO ".into(), theme.demo, 0);
    } else {
        push(format!(" {} ", text::truncate(desk.source(), 24)), bar.add_modifier(Modifier::BOLD), 0);
    }
    let (conn, style) = match &desk.link() {
        Link::Live => ("● live".to_owned(), bar.patch(theme.ok)),
        Link::Connecting { attempt } if *attempt > 1 => {
            (format!("◌ connecting (attempt {attempt})"), bar.patch(theme.warn))
        }
        Link::Connecting { .. } => ("◌ connecting".to_owned(), bar.patch(theme.warn)),
        Link::Reconnecting { attempt, retry_at, reason } => {
            // Why it is retrying, so a platform that never welcomes or keeps closing shows it.
            let ms = (*retry_at - desk.now()).num_milliseconds().max(0);
            let when = if ms == 0 { "now".to_owned() } else { format!("in {}s", (ms + 999) / 1000) };
            let reason = text::truncate(reason, 28);
            (format!("◌ {reason}, retrying {when} (attempt {attempt})"), bar.patch(theme.warn))
        }
        Link::Ended => ("■ stream ended".to_owned(), bar.patch(theme.warn)),
        Link::Failed(reason) => {
            (format!("✖ failed: {}", text::truncate(reason, 40)), bar.patch(theme.danger))
        }
    };
    push(conn, style.add_modifier(Modifier::BOLD), 0);
    if let Some(team) = team {
        // Who holds the feed (and so sends), and where each operator of the team is.
        push(format!("⇄ {team}"), bar.add_modifier(Modifier::BOLD), 1);
    }
    if let Some(spell) = desk.health().quiet(desk.now()) {
        // A feed that stalled while its socket stays up: nothing else would say so.
        let text =
            format!("feed quiet {} · {} viewers", clock(desk.now() - spell.start), thousands(spell.viewers));
        push(text, bar.patch(theme.warn).add_modifier(Modifier::BOLD), 0);
    }
    if !desk.caps().resume {
        // This platform cannot replay what was said while the link was down.
        push("no resume".into(), bar.patch(theme.warn), 2);
    }
    if !desk.caps().send_chat {
        push("read-only".into(), bar.patch(theme.warn), 2);
    }
    match desk.stream_state() {
        Some(StreamState::Paused) => push("stream paused".into(), bar.patch(theme.warn), 1),
        Some(StreamState::Ended) if *desk.link() != Link::Ended => {
            push("stream ended".into(), bar.patch(theme.warn), 1)
        }
        _ => {}
    }
    if desk.held().is_some() {
        // A reply the pre-send check holds waits for the operator's key.
        push("⚠ reply held".into(), bar.patch(theme.warn).add_modifier(Modifier::BOLD), 0);
    }
    let h = &desk.health();
    // Commands not yet acknowledged: offline they wait and go out on reconnect; online
    // only the slow ones are worth a word (acks normally arrive within milliseconds).
    if *desk.link() != Link::Live && !desk.pending().is_empty() {
        push(format!("{} queued", desk.pending().len()), bar.patch(theme.warn), 1);
    } else {
        // Chat held back by the send limit waits visibly, apart from what went and is slow.
        if let Some(next) = desk.send_queue().next_in(desk.now()) {
            let secs = (next.num_milliseconds() + 999) / 1000;
            let text = format!("⏳ {} queued · next {secs}s", desk.send_queue().len());
            push(text, bar.patch(theme.warn).add_modifier(Modifier::BOLD), 1);
        }
        let slow = desk
            .pending()
            .iter()
            .filter(|(r, p)| (desk.now() - p.sent_at).num_seconds() >= 5 && !desk.send_queue().holds(r))
            .count();
        if slow > 0 {
            push(format!("{slow} awaiting ack"), bar.patch(theme.warn), 4);
        }
    }
    // For a minute; the first to go when narrow, as the notice row said it too.
    if desk.renumbered_at().is_some_and(|at| (desk.now() - at).num_seconds() < RENUMBERED_SECS) {
        push(
            "platform restarted its numbering".into(),
            bar.patch(theme.warn).add_modifier(Modifier::BOLD),
            6,
        );
    }
    if h.gaps > 0 {
        push(format!("gaps {} ({} missed)", h.gaps, h.missed), bar.patch(theme.warn), 2);
    }
    if let Some(oldest) = desk.chat().oldest_unanswered() {
        let n = desk.chat().unanswered_count();
        let age = clock(desk.now() - oldest.at);
        // Waiting more than two minutes is worth a colour.
        let style = if (desk.now() - oldest.at).num_seconds() >= 120 { bar.patch(theme.warn) } else { bar };
        push(format!("? {n} unanswered (oldest {age})"), style.add_modifier(Modifier::BOLD), 1);
    }
    push(format!("viewers {}", text::compact(desk.stats().viewers)), bar, 2);
    push(format!("orders {}", desk.catalog().order_count()), bar, 3);
    let gmv: Vec<String> =
        desk.catalog().gmv().iter().map(|(cur, amount)| money::format(*amount, cur)).collect();
    let gmv = if gmv.is_empty() {
        money::format(rust_decimal::Decimal::ZERO, &desk.catalog().currency)
    } else {
        gmv.join(" + ")
    };
    push(format!("GMV {gmv}"), bar.add_modifier(Modifier::BOLD), 3);
    push(format!("{}/min", desk.stats().per_minute(desk.now().timestamp())), bar, 4);
    if let Some(lag) = desk.lag_ms() {
        let style = if lag.abs() > 2_000 { bar.patch(theme.warn) } else { bar };
        push(format!("lag {lag}ms"), style, 5);
    }
    if h.reconnects > 0 {
        // After a drop, whether the link came back says more than the chat's pace.
        push(format!("reconnects {}", h.reconnects), bar.patch(theme.warn), 3);
    }
    out
}

/// `3,400`: a count read at a glance.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Draws the bar: figures on the first row, the notice and key hints on the second.
/// `team` is the team desk's line (who holds the feed, who is on), on a team console.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, team: Option<&str>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let bar = theme.status;
    buf.set_style(area, bar);
    if area.is_empty() {
        return;
    }
    let (x, right) = (area.x, area.right());
    let width = usize::from(area.width);

    // Row 1: figures, then the clock at the right edge.
    let mut tbuf = [0; 8];
    let clock = format!(" {} ", text::hms(desk.now().timestamp(), &mut tbuf));
    let mut items = items(ctx, team);
    let room = width.saturating_sub(text::width(&clock));
    let cost = |items: &[Item]| items.iter().map(|i| text::width(&i.text) + 2).sum::<usize>();
    while cost(&items) > room {
        let Some(worst) = items.iter().enumerate().max_by_key(|(n, i)| (i.priority, *n)).map(|(n, _)| n)
        else {
            break;
        };
        if items[worst].priority == 0 {
            break;
        }
        items.remove(worst);
    }
    // Only must-show items left and still too wide: cut the longest of them.
    let over = cost(&items).saturating_sub(room);
    if over > 0
        && let Some(longest) = items.iter_mut().max_by_key(|i| text::width(&i.text))
    {
        let keep = text::width(&longest.text).saturating_sub(over);
        longest.text = text::truncate(&longest.text, keep);
    }
    let mut cx = x;
    for item in &items {
        cx = text::put(buf, cx, area.y, right, &item.text, item.style);
        cx = text::put(buf, cx, area.y, right, "  ", bar);
    }
    let clock_x = right.saturating_sub(text::width(&clock) as u16).max(cx);
    text::put(buf, clock_x, area.y, right, &clock, bar.add_modifier(Modifier::BOLD));
    if area.height < 2 {
        return;
    }

    // Row 2: the latest notice while it is fresh, and key hints on the right.
    let y = area.y + 1;
    let hints: Vec<String> =
        HINTS.iter().filter_map(|(a, label)| ctx.key(*a).map(|k| format!("{k} {label}"))).collect();
    let notice = desk.notices().next_back().filter(|n| (desk.now() - n.at).num_seconds() < NOTICE_SECS);
    let notice_w = notice.map_or(0, |n| text::width(&n.text) + 3);
    let first_hint = hints.first().map_or(0, |h| text::width(h) + 2);
    let notice_room = width.saturating_sub(first_hint + 1);
    if let Some(n) = notice {
        let (mark, style) = match n.level {
            Level::Info => (" ", bar),
            Level::Warn => ("!", bar.patch(theme.warn).add_modifier(Modifier::BOLD)),
            Level::Error => ("✖", theme.danger.add_modifier(Modifier::REVERSED)),
        };
        let end = x + notice_room.min(notice_w) as u16;
        buf.set_style(Rect::new(x, y, end - x, 1), style);
        let nx = text::put(buf, x, y, end, &format!(" {mark} "), style);
        text::put_trunc(buf, nx, y, end, &n.text, style);
    }
    // A column between the notice and the hints, so a long notice never runs into them.
    let used = notice_w.min(notice_room) + usize::from(notice.is_some());
    let mut shown = Vec::new();
    let mut total = 0;
    for h in &hints {
        let w = text::width(h) + 2;
        if used + total + w > width {
            break;
        }
        total += w;
        shown.push(h);
    }
    let mut hx = right.saturating_sub(total as u16);
    for h in shown {
        let (key, label) = h.split_once(' ').unwrap_or((h, ""));
        hx = text::put(buf, hx, y, right, key, bar.add_modifier(Modifier::BOLD));
        hx = text::put(buf, hx, y, right, &format!(" {label}  "), bar);
    }
}
