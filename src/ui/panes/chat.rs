//! The chat pane: the newest messages, word-wrapped to the pane, with the selection a reply
//! key would answer.
//!
//! Only what is on screen is ever measured: the pane walks up from its bottom message
//! until it is full, so a frame costs the same with 100 or 100,000 messages in memory.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::{Ctx, card, chat_bars as bars, frame, search_line};
use crate::config::keymap::KeyAction;
use crate::desk::Desk;
use crate::desk::chat::{Message, MsgKind};
use crate::desk::classify::Tag;
use crate::ui::narrow::Narrowing;
use crate::ui::panes::retag::{self, Retag};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{ChatFilter, Pane, ViewState, last_shown, nearest_shown, next_shown, prev_shown};

/// One run of same-styled text in a message; `glue` means no space before it.
#[derive(Clone, Copy)]
struct Piece<'a> {
    text: &'a str,
    style: Style,
    glue: bool,
}

const EMPTY: Piece<'static> = Piece { text: "", style: Style::new(), glue: false };
const MAX_PIECES: usize = 18;

/// What the desk knows of a message's viewer that the chat line shows: a returning
/// customer (ordered in an earlier stream), a VIP (the operator's tag).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Marks {
    returning: bool,
    vip: bool,
}

impl Marks {
    fn of(m: &Message, desk: &Desk) -> Marks {
        if m.user_id.is_empty() || m.kind == MsgKind::Operator {
            return Marks::default();
        }
        Marks { returning: desk.viewers().returning(&m.user_id), vip: desk.viewers().vip(&m.user_id) }
    }
}

/// A tag's mark before a message, and its style.
fn mark(tag: Tag, theme: &Theme) -> (&'static str, Style) {
    let bold = Modifier::BOLD;
    match tag {
        Tag::Question => ("?", theme.question.add_modifier(bold)),
        Tag::Buyer => ("$", theme.buyer),
        Tag::Shipping => ("✈", theme.shipping),
        Tag::CantShip => ("✗", theme.complaint.add_modifier(bold)),
        Tag::Complaint => ("!", theme.complaint),
        Tag::Mention => ("@", theme.mention),
        Tag::Spam => ("", theme.dim),
    }
}

/// A message as styled pieces, without allocating: `hh:mm:ss ?$ YT [PH] ↻★ name: text → AA`, with
/// its tags' marks glued together and the viewer's marks before the name; spam is dimmed and
/// struck through, and a comment said while its viewer was muted is dimmed.
fn pieces<'a>(
    m: &'a Message,
    muted: bool,
    time: &'a str,
    marks: Marks,
    theme: &Theme,
) -> ([Piece<'a>; MAX_PIECES], usize) {
    let mut out = [EMPTY; MAX_PIECES];
    let mut n = 0;
    let mut push = |text: &'a str, style: Style, glue: bool| {
        out[n] = Piece { text, style, glue };
        n += 1;
    };
    push(time, theme.dim, false);
    let bold = Modifier::BOLD;
    let spam = m.tags.has(Tag::Spam);
    match m.kind {
        MsgKind::System if !m.deleted => push("•", theme.system, false),
        MsgKind::Question if !m.deleted && !m.tags.has(Tag::Question) => {
            push("?", theme.question.add_modifier(bold), false)
        }
        _ => {}
    }
    if !m.deleted && !spam && !muted {
        let mut glue = false;
        for tag in m.tags.iter() {
            let (text, style) = mark(tag, theme);
            if !text.is_empty() {
                push(text, style, glue);
                glue = true;
            }
        }
    }
    if let Some(source) = m.source {
        push(source.code(), theme.dim.add_modifier(bold), false);
    }
    if let Some(region) = m.region.as_deref().filter(|r| !r.is_empty()) {
        push("[", theme.dim, false);
        push(region, theme.dim, true);
        push("]", theme.dim, true);
    }
    if !m.deleted && !spam && (marks.returning || marks.vip) {
        let mut glue = false;
        if marks.returning {
            push(card::RETURNING, theme.buyer.add_modifier(bold), false);
            glue = true;
        }
        if marks.vip {
            push(card::VIP_MARK, theme.accent.add_modifier(bold), glue);
        }
    }
    if m.deleted {
        push(&m.user_name, theme.dim.add_modifier(Modifier::CROSSED_OUT), false);
        push("(deleted)", theme.dim.add_modifier(Modifier::CROSSED_OUT | Modifier::ITALIC), false);
        return (out, n);
    }
    if muted && !spam {
        push("(muted)", theme.dim.add_modifier(Modifier::ITALIC), false);
        push(&m.user_name, theme.dim, false);
        push(":", theme.dim, true);
        push(&m.text, theme.dim, false);
        return (out, n);
    }
    if spam {
        let struck = theme.dim.add_modifier(Modifier::CROSSED_OUT);
        push(&m.user_name, struck, false);
        push(":", struck, true);
        push(&m.text, struck, false);
        return (out, n);
    }
    match m.kind {
        MsgKind::System => {
            push(&m.user_name, theme.system.add_modifier(bold), false);
            push(&m.text, theme.system, false);
        }
        MsgKind::Question => {
            push(&m.user_name, theme.question.add_modifier(bold), false);
            push(":", theme.question, true);
            push(&m.text, theme.question, false);
        }
        MsgKind::Operator => {
            push(&m.user_name, theme.operator.add_modifier(bold), false);
            push(":", theme.operator, true);
            push(&m.text, theme.operator, false);
        }
        MsgKind::Chat => {
            push(&m.user_name, theme.base.add_modifier(bold), false);
            push(":", theme.base, true);
            push(&m.text, theme.base, false);
        }
    }
    // The code a claim read from the comment names ("→ AM ×2").
    if let Some(claimed) = &m.claimed {
        push("→", theme.accent, false);
        push(claimed, theme.accent.add_modifier(bold), false);
    }
    (out, n)
}

/// Word-wraps pieces into `width` columns (continuation rows start at `indent`), calling
/// `emit(row, col, cluster, cluster_width, style)` for every cluster; returns the rows used.
fn wrap(
    pieces: &[Piece<'_>],
    width: u16,
    indent: u16,
    mut emit: impl FnMut(u16, u16, &str, u16, Style),
) -> u16 {
    if width == 0 {
        return 1;
    }
    let indent = if indent.saturating_mul(2) >= width { 0 } else { indent };
    let (mut row, mut col, mut at_start) = (0u16, 0u16, true);
    for p in pieces {
        let mut first = true;
        for word in p.text.split(' ') {
            let ww = text::width(word);
            if ww == 0 {
                continue;
            }
            let ww = u16::try_from(ww).unwrap_or(u16::MAX);
            let gap = u16::from(!(at_start || (p.glue && first)));
            first = false;
            if col + gap + ww <= width {
                col += gap;
            } else if ww <= width - indent {
                row += 1;
                col = indent;
            } else if col + gap < width {
                // A word longer than a line: start it here and break it where it must.
                col += gap;
            } else {
                row += 1;
                col = indent;
            }
            for (c, cw) in text::clusters(word) {
                if col + cw > width {
                    row += 1;
                    col = indent;
                }
                if col + cw <= width {
                    emit(row, col, c, cw, p.style);
                    col += cw;
                }
            }
            at_start = false;
        }
    }
    row + 1
}

fn indent_for(width: u16) -> u16 {
    if width >= 40 { 9 } else { 2 }
}

/// Rows a message takes at this width.
fn height(m: &Message, muted: bool, marks: Marks, width: u16, theme: &Theme) -> u16 {
    let mut tbuf = [0; 8];
    let time = text::hms(m.at.timestamp(), &mut tbuf);
    let (p, n) = pieces(m, muted, time, marks, theme);
    wrap(&p[..n], width, indent_for(width), |_, _, _, _, _| {})
}

/// The re-tag line, in place of the suggestion while it is open, for the selected comment:
/// each tag on its letter, the ones it has now in bold with a tick. False when it is gone.
fn retag_line(buf: &mut Buffer, line: Rect, ctx: &Ctx<'_>, retag: &Retag) -> bool {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(m) = desk.chat().by_msg_id(&retag.msg_id) else { return false };
    let right = line.right();
    let mut x = text::put(buf, line.x, line.y, right, " tag", theme.accent.add_modifier(Modifier::BOLD));
    for (key, tag, label) in retag::TAGS {
        x = text::put(buf, x, line.y, right, " ", theme.base);
        let mut k = [0; 4];
        let key_style = theme.accent.add_modifier(Modifier::BOLD | Modifier::REVERSED);
        x = text::put(buf, x, line.y, right, key.encode_utf8(&mut k), key_style);
        let (label, style) = if m.tags.has(tag) {
            (format!(" ✓{label}"), theme.accent.add_modifier(Modifier::BOLD))
        } else {
            (format!(" {label}"), theme.dim)
        };
        x = text::put(buf, x, line.y, right, &label, style);
    }
    text::put(buf, x, line.y, right, "  esc", theme.dim);
    true
}

/// The reply the desk suggests for the selected comment, on one line under the chat, with
/// the key that sends it, "as you answered N times" when it is the shop's own past answer
/// to comments that read the same, and the text as it would go out. False when there is none.
fn suggestion_line(buf: &mut Buffer, line: Rect, ctx: &Ctx<'_>, selected: Option<u64>) -> bool {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(m) = selected.and_then(|i| desk.chat().get(i)).filter(|m| !m.answered && !m.msg_id.is_empty())
    else {
        return false;
    };
    let Some(suggested) = desk.suggest(&m.msg_id) else { return false };
    let reply = suggested.reply;
    let right = line.right();
    let mut x = line.x;
    x = text::put(buf, x, line.y, right, " ▸ ", theme.accent);
    if let Some(key) = ctx.key(KeyAction::SendSuggestion) {
        x = text::put(
            buf,
            x,
            line.y,
            right,
            &key,
            theme.accent.add_modifier(Modifier::BOLD | Modifier::REVERSED),
        );
        x = text::put(buf, x, line.y, right, " ", theme.base);
    }
    x = text::put(buf, x, line.y, right, &reply.title, theme.accent.add_modifier(Modifier::BOLD));
    if let Some(times) = suggested.answered {
        let said = if times == 1 {
            "as you answered once".to_owned()
        } else {
            format!("as you answered {times} times")
        };
        x = text::put(buf, x, line.y, right, " · ", theme.dim);
        x = text::put(buf, x, line.y, right, &said, theme.ok);
    }
    match desk.reply_text(reply, Some(&m.msg_id), desk.now()) {
        Ok(text) => {
            x = text::put(buf, x, line.y, right, " · ", theme.dim);
            text::put_trunc(buf, x, line.y, right, &text, theme.base);
        }
        Err(missing) => {
            let why = format!(" · needs {{{}}}", missing.join("} {"));
            text::put_trunc(buf, x, line.y, right, &why, theme.warn);
        }
    }
    true
}

/// The Chat title's words after its name: the view and its count, a viewer's mute, the
/// comments hidden for blocked words, and whether the view is paused.
fn title_extra(area: Rect, ctx: &Ctx<'_>, filter: &ChatFilter, follow: bool) -> Vec<Span<'static>> {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let strong = theme.accent.add_modifier(Modifier::BOLD);
    let mut rest: Vec<Span<'static>> = vec![];
    if let ChatFilter::Narrow(n) = filter
        && let Narrowing::Viewer { id, .. } = &n.what
        && let Some(until) = desk.moderation().muted_until(id, desk.now())
    {
        let left = crate::desk::clock(until - desk.now());
        rest.push(Span::styled(format!("muted {left}"), theme.warn));
    }
    let hidden = desk.moderation().hidden();
    if hidden > 0 {
        rest.push(Span::styled(format!("{} hidden", text::compact(hidden)), theme.dim));
    }
    if !follow {
        rest.push(Span::styled("paused", theme.warn.add_modifier(Modifier::BOLD)));
    }
    let view = match filter {
        ChatFilter::All => None,
        ChatFilter::Narrow(n) => {
            // What the borders, the pane's name and the other words leave (hints drop first).
            let others: usize = rest.iter().map(|s| text::width(&s.content) + 2).sum();
            let room = usize::from(area.width).saturating_sub(16 + others);
            Some(n.title(desk.chat(), room))
        }
        f => Some(format!("{} {}", f.label(), f.count(desk.chat()))),
    };
    let items = view.map(|v| Span::styled(v, strong)).into_iter().chain(rest);
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(Span::raw("  "));
        }
        out.push(item);
    }
    out
}

/// Draws the chat pane and records its rows for the mouse.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, view: &mut ViewState, focused: bool) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let follow = view.chat.follow;
    let filter = view.chat_filter().clone();
    let filter = &filter;
    let selected = view.chat_selected(desk);
    let extra = title_extra(area, ctx, filter, follow);
    let hints = if follow {
        ctx.hints(&[(KeyAction::Up, "select")])
    } else {
        ctx.hints(&[(KeyAction::Bottom, "follow"), (KeyAction::Retag, "re-tag")])
    };
    let inner = frame(buf, area, Pane::Chat.title(), extra, &hints, focused, theme);

    let new_count = view.new_since_pause(desk);
    let mut rows = inner;
    bars::pinned(buf, &mut rows, ctx);
    search_line::draw(buf, &mut rows, ctx, view.search());
    super::held::draw(buf, &mut rows, ctx);
    let hits = &mut view.hits;
    hits.chat_rows.clear();
    hits.chat_new_line = Rect::default();
    hits.chat_bottom = None;
    if !follow && rows.height > 1 {
        rows.height -= 1;
        let line = Rect::new(rows.x, rows.bottom(), rows.width, 1);
        hits.chat_new_line = line;
        let key = ctx.key(KeyAction::Bottom);
        let what = if new_count == 0 { "paused".to_owned() } else { format!("{new_count} new") };
        let msg = match key {
            Some(k) => format!(" ▼ {what} — {k} to follow"),
            None => format!(" ▼ {what}"),
        };
        let style = theme.accent.add_modifier(Modifier::BOLD);
        text::put_trunc(buf, line.x, line.y, line.right(), &msg, style);
    }
    let line = Rect { height: 1, y: rows.bottom().saturating_sub(1), ..rows };
    let drawn = rows.height > 3
        && match view.retag() {
            Some(retag) => retag_line(buf, line, ctx, retag),
            None => suggestion_line(buf, line, ctx, selected),
        };
    if drawn {
        rows.height -= 1;
    }
    let hits = &mut view.hits;
    hits.chat_rows_area = rows;
    hits.chat_rows.resize(usize::from(rows.height), None);
    if rows.is_empty() {
        return;
    }
    let chat = &desk.chat();
    if chat.is_empty() {
        super::centered_line(buf, rows, rows.y + rows.height / 2, "Waiting for chat…", theme.dim);
        return;
    }
    let Some(last) = last_shown(chat, filter) else {
        let empty = match filter {
            ChatFilter::Unanswered => "No unanswered questions",
            ChatFilter::Questions => "No questions yet",
            ChatFilter::Buyers => "No buyers yet",
            ChatFilter::Mentions => "No mentions yet",
            ChatFilter::All => "Waiting for chat…",
            ChatFilter::Narrow(n) => match n.what {
                Narrowing::Viewer { .. } => "Nothing from this viewer in memory",
                Narrowing::Search(_) => "Nothing matches the search",
            },
        };
        super::centered_line(buf, rows, rows.y + rows.height / 2, empty, theme.dim);
        return;
    };

    let first = chat.first_index();
    let all = *filter == ChatFilter::All;
    // An order or gift line is never dimmed: the mute is about what a viewer says.
    let muted = |m: &Message| {
        matches!(m.kind, MsgKind::Chat | MsgKind::Question) && desk.moderation().muted_at(&m.user_id, m.at)
    };
    let prev =
        |i: u64| if all { i.checked_sub(1).filter(|&p| p >= first) } else { prev_shown(chat, filter, i) };
    let next = |i: u64| if all { Some(i + 1).filter(|&n| n <= last) } else { next_shown(chat, filter, i) };
    let width = rows.width;
    let h = rows.height;
    let msg_height =
        |i: u64| chat.get(i).map_or(0, |m| height(m, muted(m), Marks::of(m, desk), width, theme));
    // Walks up from `bottom` until the pane is full: (top message, rows of it cut off).
    let window = |bottom: u64| {
        let (mut used, mut i) = (0u16, bottom);
        loop {
            used = used.saturating_add(msg_height(i));
            if used >= h {
                return (i, used.saturating_sub(h));
            }
            match prev(i) {
                Some(p) => i = p,
                None => return (i, 0),
            }
        }
    };

    let mut bottom = if follow {
        last
    } else {
        let anchor = view.chat.anchor.clamp(first, last);
        if all { anchor } else { nearest_shown(chat, filter, anchor).map_or(last, |a| a.min(last)) }
    };
    if let Some(sel) = selected.filter(|_| !follow) {
        bottom = bottom.max(sel);
    }
    let (mut top, mut skip) = window(bottom);
    if let Some(sel) = selected.filter(|&s| !follow && (s < top || (s == top && skip > 0))) {
        // The selection went above the pane: scroll so it is the top message.
        let (mut used, mut j, mut before) = (0u16, sel, sel);
        bottom = loop {
            let hj = msg_height(j);
            if j > sel && used.saturating_add(hj) > h {
                break before;
            }
            used = used.saturating_add(hj);
            match next(j) {
                Some(n) => (before, j) = (j, n),
                None => break j,
            }
        };
        (top, skip) = window(bottom);
        if top > sel {
            (top, skip) = (sel, 0);
        }
    }
    if !follow {
        view.chat.anchor = bottom;
    }
    let hits = &mut view.hits;
    hits.chat_bottom = Some(bottom);

    let indent = indent_for(width);
    let mut y = i32::from(rows.y) - i32::from(skip);
    let end = i32::from(rows.bottom());
    let mut shown = 0usize;
    let mut i = top;
    loop {
        if let Some(m) = chat.get(i) {
            shown += 1;
            let mut tbuf = [0; 8];
            let time = text::hms(m.at.timestamp(), &mut tbuf);
            let (p, n) = pieces(m, muted(m), time, Marks::of(m, desk), theme);
            let x0 = rows.x;
            let hi = wrap(&p[..n], width, indent, |r, col, c, cw, style| {
                let ry = y + i32::from(r);
                if ry >= i32::from(rows.y) && ry < end {
                    text::put_cluster(buf, x0 + col, ry as u16, c, cw, style);
                }
            });
            for r in 0..i32::from(hi) {
                let ry = y + r;
                if ry >= i32::from(rows.y) && ry < end {
                    let ry = ry as u16;
                    hits.chat_rows[usize::from(ry - rows.y)] = Some(i);
                    if Some(i) == selected {
                        // Patches the background only, so the text keeps its colours.
                        super::fill_row(buf, rows, ry, theme.selected);
                        hits.chat_selected = Some(i);
                    }
                }
            }
            y += i32::from(hi);
        }
        if y >= end || i >= bottom {
            break;
        }
        match next(i) {
            Some(n) if n <= bottom => i = n,
            _ => break,
        }
    }
    view.chat.page = shown.max(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &str, width: u16, indent: u16) -> Vec<String> {
        let p = [Piece { text, style: Style::new(), glue: false }];
        let mut rows: Vec<String> = vec![];
        wrap(&p, width, indent, |r, col, c, _, _| {
            let r = usize::from(r);
            while rows.len() <= r {
                rows.push(String::new());
            }
            while text::width(&rows[r]) < usize::from(col) {
                rows[r].push(' ');
            }
            rows[r].push_str(c);
        });
        rows
    }

    #[test]
    fn a_message_from_a_gathered_feed_shows_its_platform_before_the_name() {
        use crate::desk::chat::{ChatLog, MsgKind};
        use crate::protocol::User;
        let mut log = ChatLog::new(10);
        let user = |badges: &[&str]| User {
            id: "u".into(),
            name: "ann".into(),
            region: Some("PH".into()),
            badges: badges.iter().map(|b| b.to_string()).collect(),
            follower: false,
        };
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        log.push("a".into(), &user(&["youtube", "moderator"]), "hi".into(), MsgKind::Chat, None, at);
        log.push("b".into(), &user(&["moderator"]), "hi".into(), MsgKind::Chat, None, at);
        let theme = Theme::no_color();
        let texts = |m| {
            let (p, n) = pieces(m, false, "00:00:00", Marks::default(), &theme);
            p[..n].iter().map(|p| p.text).collect::<Vec<_>>().join(" ")
        };
        assert_eq!(texts(&log.messages()[0]), "00:00:00 YT [ PH ] ann : hi");
        assert_eq!(texts(&log.messages()[1]), "00:00:00 [ PH ] ann : hi");
        let both = Marks { returning: true, vip: true };
        let (p, n) = pieces(&log.messages()[1], false, "00:00:00", both, &theme);
        let shown: Vec<(&str, bool)> = p[..n].iter().map(|p| (p.text, p.glue)).collect();
        assert_eq!(shown[4..7], [("↻", false), ("★", true), ("ann", false)], "marks glued, before the name");
    }

    #[test]
    fn words_wrap_and_long_words_break() {
        assert_eq!(rows_of("do you ship to Manila", 10, 2), vec!["do you", "  ship to", "  Manila"]);
        assert_eq!(rows_of("aaaaaaaaaaaaaaa", 6, 0), vec!["aaaaaa", "aaaaaa", "aaa"]);
    }

    #[test]
    fn wide_clusters_never_cross_the_edge() {
        let rows = rows_of("💅💅💅漢字漢字x", 5, 0);
        assert_eq!(rows, vec!["💅💅", "💅漢", "字漢", "字x"]);
        for r in rows {
            assert!(text::width(&r) <= 5);
        }
    }
}
