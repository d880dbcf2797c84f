//! The help popup: every binding of the active keymap and every reply key, generated from
//! them so it can never disagree with what the keys do.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Ctx, adjust, card, picker, search_line};
use crate::config::keymap::{KeyAction, Mode};
use crate::ui::hits::{Hits, WHEEL_STEP};
use crate::ui::layout::centered;
use crate::ui::popup_key::PopupKey;
use crate::ui::text;

/// The open help: how far it is scrolled. Where it was drawn, and how long a page is, are
/// the last frame's [`Hits`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelpView {
    /// First help line shown.
    pub scroll: u16,
}

impl HelpView {
    /// A key of the keymap's help table.
    pub(crate) fn on_action(&mut self, action: KeyAction, hits: &Hits) -> PopupKey {
        let page = hits.help_page.max(1);
        match action {
            KeyAction::Quit => return PopupKey::Quit,
            KeyAction::Close | KeyAction::Help => return PopupKey::Close,
            KeyAction::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyAction::Down => self.scroll = self.scroll.saturating_add(1),
            KeyAction::PageUp => self.scroll = self.scroll.saturating_sub(page),
            KeyAction::PageDown => self.scroll = self.scroll.saturating_add(page),
            KeyAction::Top => self.scroll = 0,
            KeyAction::Bottom => self.scroll = u16::MAX,
            _ => {}
        }
        if hits.help_page > 0 {
            self.scroll = self.scroll.min(hits.help_max);
        }
        PopupKey::Stay
    }

    /// The wheel scrolls; a click outside the help closes it.
    pub(crate) fn on_mouse(&mut self, ev: &MouseEvent, hits: &Hits) -> PopupKey {
        match ev.kind {
            MouseEventKind::ScrollUp => self.scroll = self.scroll.saturating_sub(WHEEL_STEP as u16),
            MouseEventKind::ScrollDown => {
                self.scroll = (self.scroll + WHEEL_STEP as u16).min(hits.help_max);
            }
            MouseEventKind::Down(MouseButton::Left)
                if !hits.help.contains(Position::new(ev.column, ev.row)) =>
            {
                return PopupKey::Close;
            }
            _ => {}
        }
        PopupKey::Stay
    }
}

/// Which actions a help section lists.
type Filter = fn(KeyAction) -> bool;

/// The help screen's sections, each a filter over [`KeyAction::ALL`] so none is left out.
const GROUPS: [(&str, Filter); 6] = [
    ("Flash sales, giveaways, the show and stock", |a| {
        matches!(
            a,
            KeyAction::StartSale
                | KeyAction::ExtendSale
                | KeyAction::EndSale
                | KeyAction::PauseSale
                | KeyAction::StartGiveaway
                | KeyAction::DrawGiveaway
                | KeyAction::NextCue
                | KeyAction::PreviousCue
                | KeyAction::PinProduct
                | KeyAction::UnpinProduct
                | KeyAction::AdjustStock
                | KeyAction::Activate
        )
    }),
    ("Claims (from any pane)", |a| {
        matches!(a, KeyAction::ConfirmClaim | KeyAction::RejectClaim | KeyAction::ToggleWaitlist)
    }),
    ("Chat views and triage", |a| {
        matches!(
            a,
            KeyAction::CycleView
                | KeyAction::ViewAll
                | KeyAction::ViewQuestions
                | KeyAction::ViewBuyers
                | KeyAction::ViewUnanswered
                | KeyAction::ViewMentions
                | KeyAction::ViewViewer
                | KeyAction::Search
                | KeyAction::MarkHandled
                | KeyAction::Retag
                | KeyAction::SendSuggestion
                | KeyAction::PickReply
        )
    }),
    ("Moving around", |a| {
        matches!(
            a,
            KeyAction::FocusNext
                | KeyAction::FocusPrev
                | KeyAction::FocusChat
                | KeyAction::FocusSale
                | KeyAction::FocusStock
                | KeyAction::FocusReplies
                | KeyAction::FocusClaims
                | KeyAction::Up
                | KeyAction::Down
                | KeyAction::PageUp
                | KeyAction::PageDown
                | KeyAction::Top
                | KeyAction::Bottom
        )
    }),
    ("Moderation (the selected comment)", |a| {
        matches!(a, KeyAction::DeleteMessage | KeyAction::MuteViewer | KeyAction::PinMessage)
    }),
    ("General", |a| {
        matches!(a, KeyAction::ToggleStats | KeyAction::Help | KeyAction::Quit | KeyAction::Close)
    }),
];

enum Row {
    Heading(String),
    Entry(String, String),
    Blank,
}

fn rows(ctx: &Ctx<'_>) -> Vec<Row> {
    let mut out = Vec::new();
    let section = |title: &str, entries: Vec<(String, String)>, out: &mut Vec<Row>| {
        if entries.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push(Row::Blank);
        }
        out.push(Row::Heading(title.to_owned()));
        out.extend(entries.into_iter().map(|(k, d)| Row::Entry(k, d)));
    };
    let bound = |mode: Mode, filter: &dyn Fn(KeyAction) -> bool| -> Vec<(String, String)> {
        KeyAction::ALL
            .into_iter()
            .filter(|a| filter(*a))
            .filter_map(|a| {
                let keys = ctx.keymap.keys_for(mode, a);
                (!keys.is_empty()).then(|| (keys.join(", "), a.describe().to_owned()))
            })
            .collect()
    };
    for (title, filter) in GROUPS {
        section(title, bound(Mode::Normal, &filter), &mut out);
    }
    let replies =
        ctx.desk.replies().all().iter().filter_map(|r| Some((r.key.clone()?, r.title.clone()))).collect();
    section("Canned replies (to the selected chat message)", replies, &mut out);
    section(
        "On the held-reply line (a reply the pre-send check holds)",
        bound(Mode::Held, &|_| true),
        &mut out,
    );
    let fixed =
        |keys: &[(&str, &str)]| keys.iter().map(|(k, d)| ((*k).to_owned(), (*d).to_owned())).collect();
    section("In the search line", fixed(&search_line::KEYS), &mut out);
    section("Search terms (all must match)", fixed(&search_line::TERMS), &mut out);
    section("In the stock adjust popup", fixed(&adjust::KEYS), &mut out);
    section("In the reply picker", fixed(&picker::KEYS), &mut out);
    section(
        "On the re-tag line (the retag key on a comment)",
        fixed(&crate::ui::panes::retag::KEYS),
        &mut out,
    );
    section("In a viewer card (enter on a comment or a claim)", fixed(&card::KEYS), &mut out);
    section("In this help", bound(Mode::Help, &|_| true), &mut out);
    out
}

/// Draws the popup over whatever is below it, and keeps its scroll within its lines.
pub(crate) fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, help: &mut HelpView, hits: &mut Hits) {
    let theme = ctx.theme;
    let rows = rows(ctx);
    let key_w = rows
        .iter()
        .map(|r| if let Row::Entry(k, _) = r { text::width(k) } else { 0 })
        .max()
        .unwrap_or(0)
        .min(18);
    let want_w = rows
        .iter()
        .map(|r| match r {
            Row::Heading(h) => text::width(h),
            Row::Entry(_, d) => key_w + 3 + text::width(d),
            Row::Blank => 0,
        })
        .max()
        .unwrap_or(0)
        + 4;
    let want_h = rows.len() + 2;
    let w = u16::try_from(want_w).unwrap_or(u16::MAX).min(screen.width.saturating_sub(4));
    let h = u16::try_from(want_h).unwrap_or(u16::MAX).min(screen.height.saturating_sub(2));
    let area = centered(screen, w, h);
    hits.help = area;
    Clear.render(area, buf);

    let page = area.height.saturating_sub(2);
    let max = u16::try_from(rows.len()).unwrap_or(u16::MAX).saturating_sub(page);
    help.scroll = help.scroll.min(max);
    hits.help_page = page;
    hits.help_max = max;

    let close: Vec<String> = ctx.keymap.keys_for(Mode::Help, KeyAction::Close);
    let mut bottom = Vec::new();
    if !close.is_empty() {
        bottom.push(Span::styled(format!(" {} ", close.join("/")), theme.accent));
        bottom.push(Span::styled("close ", theme.dim));
    }
    if max > 0 {
        let more = if help.scroll < max { " ↓ more " } else { " ↑ more " };
        bottom.push(Span::styled(more, theme.dim));
    }
    let name = if ctx.keymap.name.is_empty() {
        "Help".to_owned()
    } else {
        format!("Help · keymap {}", ctx.keymap.name)
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.base)
        .title(Line::from(Span::styled(format!(" {name} "), theme.title)))
        .title_bottom(Line::from(bottom));
    let inner = block.inner(area);
    block.render(area, buf);

    let right = inner.right();
    for (n, row) in rows.iter().skip(usize::from(help.scroll)).take(usize::from(inner.height)).enumerate() {
        let y = inner.y + n as u16;
        let x = inner.x + 1;
        match row {
            Row::Heading(h) => {
                text::put_trunc(buf, x, y, right, h, theme.title.add_modifier(Modifier::UNDERLINED));
            }
            Row::Entry(k, d) => {
                let k = format!("{:<key_w$}", text::truncate(k, key_w));
                let dx = text::put(buf, x + 1, y, right, &k, theme.accent.add_modifier(Modifier::BOLD));
                text::put_trunc(buf, dx + 2, y, right, d, Style::default().patch(theme.base));
            }
            Row::Blank => {}
        }
    }
}
