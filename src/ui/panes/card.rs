//! The viewer card: who wrote the selected comment (or made the selected claim), what they
//! did in this stream and in earlier ones, and the operator's note and tags on them, which
//! the card edits in place (a small input: enter saves, esc cancels).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::desk::viewers::{NOTE_MAX, Note, Tally, VIP};
use crate::desk::{Action, Desk, money};
use crate::ui::popup_key::PopupKey;
use crate::ui::text;

/// The card's keys: fixed, because its fields take typing. The help popup lists them too.
pub const KEYS: [(&str, &str); 6] = [
    ("n, enter", "edit the note on the viewer (kept for later streams)"),
    ("t", "edit their tags, a comma list: VIP, sizes run small"),
    ("v", "tag or untag them VIP"),
    ("tab", "while editing: switch between the note and the tags"),
    ("enter/esc", "while editing: save / cancel"),
    ("esc", "close the card"),
];

/// The mark before a returning customer's name in the chat (they ordered in an earlier
/// stream), and before a VIP's.
pub const RETURNING: &str = "↻";
pub const VIP_MARK: &str = "★";

/// Longest tag list the input takes, in characters.
const TAGS_INPUT_MAX: usize = 120;
/// The card's size when the screen allows.
const WIDTH: u16 = 64;
const HEIGHT: u16 = 16;
/// Columns before a value.
const LABEL_W: u16 = 13;

/// Which field of the card takes typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardField {
    Note,
    Tags,
}

/// An open viewer card: whose, and the field being edited with what is typed so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardView {
    pub user_id: String,
    pub editing: Option<CardField>,
    pub note: String,
    pub tags: String,
}

impl CardView {
    /// A card for a viewer, if the desk knows them (the shop itself has none).
    pub fn open(desk: &Desk, user_id: &str) -> Option<CardView> {
        desk.viewer_card(user_id)?;
        Some(CardView {
            user_id: user_id.to_owned(),
            editing: None,
            note: String::new(),
            tags: String::new(),
        })
    }

    /// A key while the card is open.
    pub fn on_key(&mut self, key: &KeyEvent, desk: &Desk) -> PopupKey {
        let current = desk.viewers().note(&self.user_id).cloned();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let Some(field) = self.editing else {
            return match key.code {
                KeyCode::Esc => PopupKey::Close,
                KeyCode::Char('n') | KeyCode::Enter if !ctrl && !alt => self.edit(CardField::Note, current),
                KeyCode::Char('t') if !ctrl && !alt => self.edit(CardField::Tags, current),
                KeyCode::Char('v') if !ctrl && !alt => {
                    let (text, mut tags) = current.map_or((String::new(), vec![]), |n| (n.text, n.tags));
                    let had = tags.len();
                    tags.retain(|t| !t.eq_ignore_ascii_case(VIP));
                    if tags.len() == had {
                        tags.insert(0, VIP.to_owned());
                    }
                    PopupKey::Save(Action::NoteViewer { user_id: self.user_id.clone(), note: text, tags })
                }
                _ => PopupKey::Stay,
            };
        };
        let value = match field {
            CardField::Note => &mut self.note,
            CardField::Tags => &mut self.tags,
        };
        match key.code {
            KeyCode::Esc => self.editing = None,
            KeyCode::Tab | KeyCode::BackTab => {
                self.editing = Some(match field {
                    CardField::Note => CardField::Tags,
                    CardField::Tags => CardField::Note,
                })
            }
            KeyCode::Backspace => {
                value.pop();
            }
            KeyCode::Char('u') if ctrl => value.clear(),
            KeyCode::Char(c) if !ctrl && !alt => {
                let max = if field == CardField::Note { NOTE_MAX } else { TAGS_INPUT_MAX };
                if value.chars().count() < max {
                    value.push(c);
                }
            }
            KeyCode::Enter => {
                self.editing = None;
                let tags = Note::parse_tags(&self.tags);
                let unchanged =
                    current.as_ref().map_or(self.note.trim().is_empty() && tags.is_empty(), |n| {
                        n.text == self.note.trim() && n.tags == tags
                    });
                if !unchanged {
                    let note = self.note.trim().to_owned();
                    return PopupKey::Save(Action::NoteViewer { user_id: self.user_id.clone(), note, tags });
                }
            }
            _ => {}
        }
        PopupKey::Stay
    }

    /// Starts editing a field, both fields filled with the note as it is.
    fn edit(&mut self, field: CardField, current: Option<Note>) -> PopupKey {
        let (note, tags) = current.map_or((String::new(), String::new()), |n| (n.text, n.tags.join(", ")));
        self.note = note;
        self.tags = tags;
        self.editing = Some(field);
        PopupKey::Stay
    }
}

/// `£19.98` (or `£4.00 + €5.00`), for a tally.
fn spend(t: &Tally, currency: &str) -> String {
    if t.spend.is_empty() {
        return money::format(rust_decimal::Decimal::ZERO, currency);
    }
    t.spend.iter().map(|(cur, v)| money::format(*v, cur)).collect::<Vec<_>>().join(" + ")
}

fn orders(t: &Tally, currency: &str) -> String {
    let n = t.orders;
    format!("{n} order{} · {}", if n == 1 { "" } else { "s" }, spend(t, currency))
}

/// A time on the card: the date when it was not today.
fn when(at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(text::utc_offset())
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero"));
    let (local, today) = (at.with_timezone(&offset), now.with_timezone(&offset));
    if local.date_naive() == today.date_naive() {
        local.format("%H:%M:%S").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// Words of `s` in lines of at most `width` columns (a word longer than a line is cut).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let last = lines.last_mut().expect("one line");
        let need = text::width(word) + usize::from(!last.is_empty());
        if !last.is_empty() && text::width(last) + need > width {
            lines.push(String::new());
        }
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() {
            last.push(' ');
        }
        last.push_str(word);
    }
    lines
}

/// One input field: the text in a box, with a cursor when it takes typing.
fn input(buf: &mut Buffer, x: u16, y: u16, right: u16, value: &str, active: bool, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let w = right.saturating_sub(x);
    if w == 0 {
        return;
    }
    let style = if active { theme.selected } else { theme.base.add_modifier(Modifier::UNDERLINED) };
    buf.set_style(Rect::new(x, y, w, 1), style);
    let room = usize::from(w).saturating_sub(1);
    // The end of a long value stays in view.
    let shown: String = if text::width(value) > room {
        let skip = value.chars().count().saturating_sub(room);
        value.chars().skip(skip).collect()
    } else {
        value.to_owned()
    };
    let cx = text::put(buf, x, y, x + w, &shown, style);
    if active && cx < x + w {
        buf.set_style(Rect::new(cx, y, 1, 1), Style::default().add_modifier(Modifier::REVERSED));
    }
}

/// Draws the card over whatever is below it.
pub fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, cv: &CardView) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(card) = desk.viewer_card(&cv.user_id) else { return };
    let keys: &[(&str, &str)] = match cv.editing {
        Some(_) => &[("enter", "save"), ("tab", "note/tags"), ("esc", "cancel")],
        None => &[("n", "note"), ("t", "tags"), ("v", "VIP"), ("esc", "close")],
    };
    let title = format!(" Viewer · {} ", text::truncate(&card.name, 40));
    let inner = super::popup(buf, screen, (WIDTH, HEIGHT), title, keys, theme);
    if inner.height < 3 {
        return;
    }
    let (x, right) = (inner.x + 1, inner.right().saturating_sub(1));
    let mut y = inner.y;
    let bold = theme.base.add_modifier(Modifier::BOLD);

    // The name and the marks the chat shows.
    let mut nx = text::put(buf, x, y, right, &card.name, bold);
    if card.vip() {
        nx = text::put(
            buf,
            nx + 2,
            y,
            right,
            &format!("{VIP_MARK} VIP"),
            theme.accent.add_modifier(Modifier::BOLD),
        );
    }
    if card.returning {
        text::put(buf, nx + 2, y, right, &format!("{RETURNING} returning customer"), theme.buyer);
    }
    y += 1;
    let mut about = vec![format!("id {}", card.id)];
    if let Some(r) = card.region.as_deref().filter(|r| !r.is_empty()) {
        about.push(r.to_owned());
    }
    // Where they watch: a gathered feed's platform, then the feed's own and its address.
    let feed = match desk.stream().platform.as_str() {
        "" => desk.source().to_owned(),
        p => format!("{p} at {}", desk.source()),
    };
    about.push(match card.source {
        Some(s) => format!("{} via {feed}", s.code()),
        None => feed,
    });
    text::put_trunc(buf, x, y, right, &about.join(" · "), theme.dim);
    y += 2;

    let currency = desk.catalog().currency.clone();
    let mut line = |y: &mut u16, name: &str, value: String, style: Style| {
        if *y >= inner.bottom() {
            return;
        }
        text::put(buf, x, *y, right, name, theme.dim);
        text::put_trunc(buf, x + LABEL_W, *y, right, &value, style);
        *y += 1;
    };
    let first = match card.first_seen {
        Some(at) if card.streams_before > 0 => {
            let n = card.streams_before;
            format!("{} ({n} earlier stream{})", when(at, desk.now()), if n == 1 { "" } else { "s" })
        }
        Some(at) => format!("{} (their first stream)", when(at, desk.now())),
        None => "-".into(),
    };
    line(&mut y, "first seen", first, theme.base);
    line(
        &mut y,
        "this stream",
        card.first_here.map_or("not yet".into(), |at| format!("since {}", when(at, desk.now()))),
        theme.base,
    );
    let mut claims = format!("{} claim{}", card.claims, if card.claims == 1 { "" } else { "s" });
    let open: Vec<String> = [(card.claims_held, "held"), (card.claims_waiting, "waiting")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !open.is_empty() {
        claims.push_str(&format!(" ({})", open.join(", ")));
    }
    let m = card.messages;
    line(&mut y, "", format!("{m} message{} · {claims}", if m == 1 { "" } else { "s" }), theme.base);
    line(&mut y, "", orders(&card.here, &currency), theme.base);
    line(&mut y, "lifetime", orders(&card.lifetime, &currency), bold);
    y += 1;

    let note = card.note.clone();
    match cv.editing {
        Some(field) => {
            for (name, f, value) in [("tags", CardField::Tags, &cv.tags), ("note", CardField::Note, &cv.note)]
            {
                if y >= inner.bottom() {
                    break;
                }
                let style = if field == f { theme.accent.add_modifier(Modifier::BOLD) } else { theme.dim };
                text::put(buf, x, y, right, name, style);
                input(buf, x + LABEL_W, y, right, value, field == f, ctx);
                y += 1;
            }
        }
        None => {
            let tags = note.as_ref().map(|n| n.tags.join(", ")).filter(|t| !t.is_empty());
            line(&mut y, "tags", tags.unwrap_or_else(|| "none (t to add)".into()), theme.accent);
            let text = note.map(|n| n.text).filter(|t| !t.is_empty());
            let text = text.unwrap_or_else(|| "none (n to write one)".into());
            let width = usize::from(right.saturating_sub(x + LABEL_W)).max(1);
            let lines = wrap(&text, width);
            let room = usize::from(inner.bottom().saturating_sub(y));
            for (i, l) in lines.iter().take(room).enumerate() {
                let more = i + 1 == room && lines.len() > room;
                let shown = if more { format!("{l} …") } else { l.clone() };
                line(&mut y, if i == 0 { "note" } else { "" }, shown, theme.base);
            }
        }
    }
}
