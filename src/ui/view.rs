//! View state: focus, selections, chat follow/pause, the help and stock-adjust popups, and
//! what keys and the mouse do to them. Domain changes leave as [`Effect::Desk`]; nothing here
//! mutates the desk.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::config::keymap::{KeyAction, KeyChord, Keymap, Mode, chord_label};
use crate::desk::catalog::Adjust;
use crate::desk::chat::{ChatLog, Message, MsgKind};
use crate::desk::claims::{Claim, ClaimState};
use crate::desk::classify::Tag;
use crate::desk::sales::{Sale, SaleState};
use crate::desk::{Action, Desk};
pub use crate::ui::chat_keys::SearchLine;
use crate::ui::narrow::Narrow;
use crate::ui::panes::card::{CardKey, CardView};
use crate::ui::picker::{self, Picker};
use crate::ui::retag::{Retag, RetagKey};

/// The panes, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Chat,
    Sale,
    Stock,
    Replies,
    Claims,
}

impl Pane {
    /// Focus order for `focus_next` (Claims only when the shop reads claims).
    pub const ALL: [Pane; 5] = [Pane::Chat, Pane::Sale, Pane::Stock, Pane::Replies, Pane::Claims];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Chat => "Chat",
            Pane::Sale => "Flash sale",
            Pane::Stock => "Stock",
            Pane::Replies => "Replies",
            Pane::Claims => "Claims",
        }
    }

    fn next(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + 1) % Pane::ALL.len()]
    }

    fn prev(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// What a key or click asks the app to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond the view changed.
    None,
    /// Leave livedesk.
    Quit,
    /// Apply this operator action to the desk.
    Desk(Action),
}

/// How far back the followed selection looks for a message that is not a system line.
const FOLLOW_SEARCH: u64 = 2_000;
/// Rows the mouse wheel moves.
const WHEEL_STEP: usize = 3;

/// Which comments the Chat pane shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ChatFilter {
    #[default]
    All,
    Questions,
    Buyers,
    Unanswered,
    Mentions,
    /// One viewer's messages, or a search's (see [`Narrow`]); shared, so a clone is cheap.
    Narrow(Arc<Narrow>),
}

impl ChatFilter {
    /// The views, in the order the cycle key goes through them.
    pub const ALL: [ChatFilter; 5] = [
        ChatFilter::All,
        ChatFilter::Questions,
        ChatFilter::Buyers,
        ChatFilter::Unanswered,
        ChatFilter::Mentions,
    ];

    /// The view's name, as the Chat pane's title shows it.
    pub fn label(&self) -> &'static str {
        match self {
            ChatFilter::All => "All",
            ChatFilter::Questions => "Questions",
            ChatFilter::Buyers => "Buyers",
            ChatFilter::Unanswered => "Unanswered",
            ChatFilter::Mentions => "Mentions",
            ChatFilter::Narrow(n) => n.label(),
        }
    }

    /// Whether the view shows this message (spam shows only in All).
    pub fn shows(&self, m: &Message) -> bool {
        let tagged = |t: Tag| m.tags.has(t) && !m.tags.has(Tag::Spam);
        match self {
            ChatFilter::All => true,
            ChatFilter::Questions => tagged(Tag::Question),
            ChatFilter::Buyers => tagged(Tag::Buyer),
            ChatFilter::Unanswered => m.unanswered(),
            ChatFilter::Mentions => tagged(Tag::Mention),
            ChatFilter::Narrow(n) => n.shows(m),
        }
    }

    /// Messages in memory the view shows.
    pub fn count(&self, chat: &ChatLog) -> usize {
        match self {
            ChatFilter::All => chat.len(),
            ChatFilter::Questions => chat.tagged(Tag::Question),
            ChatFilter::Buyers => chat.tagged(Tag::Buyer),
            ChatFilter::Unanswered => chat.unanswered_count(),
            ChatFilter::Mentions => chat.tagged(Tag::Mention),
            ChatFilter::Narrow(n) => n.count(chat),
        }
    }

    /// Messages the view shows from index `from` on.
    pub fn count_from(&self, chat: &ChatLog, from: u64) -> usize {
        match self {
            ChatFilter::All => chat.next_index().saturating_sub(from.max(chat.first_index())) as usize,
            ChatFilter::Narrow(n) => n.count_from(chat, from),
            f => {
                let from = from.max(chat.first_index());
                (from..chat.next_index()).filter(|&i| chat.get(i).is_some_and(|m| f.shows(m))).count()
            }
        }
    }

    /// The next view of the cycle; a narrowed view goes back to All.
    fn next(&self) -> ChatFilter {
        match ChatFilter::ALL.iter().position(|f| f == self) {
            Some(i) => ChatFilter::ALL[(i + 1) % ChatFilter::ALL.len()].clone(),
            None => ChatFilter::All,
        }
    }
}

/// The shown message before `i` (newest first), if any.
pub fn prev_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if let ChatFilter::Narrow(n) = filter {
        return n.prev(chat, i);
    }
    let first = chat.first_index();
    (first..i.min(chat.next_index())).rev().find(|&j| chat.get(j).is_some_and(|m| filter.shows(m)))
}

/// The shown message after `i`, if any.
pub fn next_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if let ChatFilter::Narrow(n) = filter {
        return n.next(chat, i);
    }
    let start = i.saturating_add(1).max(chat.first_index());
    (start..chat.next_index()).find(|&j| chat.get(j).is_some_and(|m| filter.shows(m)))
}

/// The newest message the view shows.
pub fn last_shown(chat: &ChatLog, filter: &ChatFilter) -> Option<u64> {
    prev_shown(chat, filter, chat.next_index())
}

/// `i` if the view shows it, else the nearest shown message after it, else before it.
pub fn nearest_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if chat.get(i).is_some_and(|m| filter.shows(m)) {
        return Some(i);
    }
    next_shown(chat, filter, i).or_else(|| prev_shown(chat, filter, i))
}

/// Chat follow/pause state. Positions are message indexes, never rows, so they survive
/// growth and eviction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatView {
    /// Which comments are shown.
    pub(crate) filter: ChatFilter,
    /// Showing the newest messages as they arrive.
    pub(crate) follow: bool,
    /// The selected message while paused.
    pub(crate) selected: u64,
    /// The message at the bottom of the pane while paused.
    pub(crate) anchor: u64,
    /// Messages from this index on arrived after the pause.
    pub(crate) new_from: u64,
    /// Messages visible in the last frame (a page).
    pub(crate) page: usize,
}

/// A selectable list pane's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListView {
    /// The selected item, by position in the desk's list (plan, catalog or replies order).
    pub selected: Option<usize>,
    /// First row shown.
    pub(crate) offset: usize,
}

/// The Claims pane's state. The selection is a claim id, never a row: claims move between
/// rows as they are held, expire or are confirmed, and `y` must act on the claim the operator
/// looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimsView {
    pub selected: Option<u64>,
    pub(crate) offset: usize,
}

/// Finished claims the pane lists under the open ones.
pub const CLAIMS_DONE_SHOWN: usize = 50;

/// The Claims pane's rows: held claims in arrival order, then waiting ones in arrival order,
/// then the latest finished ones, newest first.
pub fn claim_rows(desk: &Desk) -> Vec<&Claim> {
    let open = desk.claims.open();
    let mut held: Vec<&Claim> = open.filter(|c| matches!(c.state, ClaimState::Active { .. })).collect();
    held.sort_by_key(|c| (c.seq, c.id));
    let mut waiting: Vec<&Claim> = desk.claims.open().filter(|c| c.state == ClaimState::Waiting).collect();
    waiting.sort_by_key(|c| (c.seq, c.id));
    held.extend(waiting);
    held.extend(desk.claims.done().rev().take(CLAIMS_DONE_SHOWN));
    held
}

/// Which field of the stock-adjust popup takes typing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AdjustField {
    #[default]
    Change,
    Reason,
}

/// The stock-adjust popup: the change as typed (`+3`, `-2`, `=10`) and the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdjustForm {
    pub sku: String,
    pub change: String,
    pub reason: String,
    pub field: AdjustField,
    /// What is wrong with the form after the last enter.
    pub error: Option<String>,
}

impl AdjustForm {
    /// The change, if what is typed reads as one.
    pub fn parsed(&self) -> Result<Adjust, String> {
        Adjust::parse(&self.change)
    }
}

/// Longest change and reason the popup takes, in characters.
const CHANGE_MAX: usize = 8;
const REASON_MAX: usize = 80;

/// Where things were drawn in the last frame, for the mouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hits {
    pub panes: [(Pane, Rect); 5],
    /// The chat pane's message rows: row `i` shows message `chat_rows[i]`.
    pub chat_rows_area: Rect,
    pub chat_rows: Vec<Option<u64>>,
    /// The bottom message of the last frame.
    pub chat_bottom: Option<u64>,
    /// The chat message shown selected in the last frame: what moderation keys act on.
    pub chat_selected: Option<u64>,
    /// The "N new" line while paused.
    pub chat_new_line: Rect,
    /// The item rows of the list panes.
    pub sale_rows: Rect,
    pub stock_rows: Rect,
    pub replies_rows: Rect,
    pub claims_rows: Rect,
    /// The claim each visible row of the Claims pane shows.
    pub claim_ids: Vec<u64>,
    pub help: Rect,
    pub help_page: u16,
    pub help_max: u16,
}

/// Everything the UI remembers between frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewState {
    pub focus: Pane,
    pub help_open: bool,
    /// The Stats pane is shown (under the chat).
    pub stats_open: bool,
    /// The stock-adjust popup, while open: it takes every key until enter or esc.
    pub adjust: Option<AdjustForm>,
    /// The reply picker, while open: it takes every key until enter or esc.
    pub picker: Option<Picker>,
    /// The chat search line, while open: it takes every key until enter or esc.
    pub search: Option<SearchLine>,
    /// A viewer's card, while open: it takes every key until esc.
    pub card: Option<CardView>,
    /// The re-tag line on a comment, while open: it takes every key until a tag or esc.
    pub retag: Option<Retag>,
    pub chat: ChatView,
    pub sale: ListView,
    pub stock: ListView,
    pub replies: ListView,
    pub claims: ClaimsView,
    /// First help line shown.
    pub help_scroll: u16,
    pub(crate) hits: Hits,
}

impl Default for Hits {
    fn default() -> Self {
        Hits {
            panes: Pane::ALL.map(|p| (p, Rect::default())),
            chat_rows_area: Rect::default(),
            chat_rows: Vec::new(),
            chat_bottom: None,
            chat_selected: None,
            chat_new_line: Rect::default(),
            sale_rows: Rect::default(),
            stock_rows: Rect::default(),
            replies_rows: Rect::default(),
            claims_rows: Rect::default(),
            claim_ids: Vec::new(),
            help: Rect::default(),
            help_page: 0,
            help_max: 0,
        }
    }
}

impl Hits {
    /// Forgets the last frame, keeping the row map's memory.
    pub(crate) fn reset(&mut self) {
        let mut rows = std::mem::take(&mut self.chat_rows);
        rows.clear();
        *self = Hits { chat_rows: rows, ..Hits::default() };
    }
}

impl Default for ViewState {
    fn default() -> Self {
        Self::new()
    }
}

enum Move {
    Up(usize),
    Down(usize),
    Top,
    Bottom,
}

impl ViewState {
    /// A fresh view: chat focused and following.
    pub fn new() -> Self {
        ViewState {
            focus: Pane::Chat,
            help_open: false,
            stats_open: false,
            adjust: None,
            picker: None,
            search: None,
            card: None,
            retag: None,
            chat: ChatView { follow: true, page: 10, ..ChatView::default() },
            sale: ListView::default(),
            stock: ListView::default(),
            replies: ListView::default(),
            claims: ClaimsView::default(),
            help_scroll: 0,
            hits: Hits::default(),
        }
    }

    /// The keymap table that applies now.
    pub fn mode(&self) -> Mode {
        if self.help_open { Mode::Help } else { Mode::Normal }
    }

    /// Whether the chat shows the newest messages as they arrive.
    pub fn following(&self) -> bool {
        self.chat.follow
    }

    /// Messages that arrived since the chat was paused (0 while following).
    pub fn new_since_pause(&self, desk: &Desk) -> u64 {
        let chat = &desk.chat;
        match &self.chat.filter {
            _ if self.chat.follow => 0,
            ChatFilter::All => chat.next_index().saturating_sub(self.chat.new_from),
            f => f.count_from(chat, self.chat.new_from) as u64,
        }
    }

    /// The chat view shown.
    pub fn chat_filter(&self) -> &ChatFilter {
        &self.chat.filter
    }

    /// The selected chat message's index: while following, the newest viewer message (not
    /// an order line, not the shop's own reply: those are never what a reply key answers).
    pub fn chat_selected(&self, desk: &Desk) -> Option<u64> {
        let chat = &desk.chat;
        if chat.is_empty() {
            return None;
        }
        let (first, last) = (chat.first_index(), chat.next_index() - 1);
        let filter = &self.chat.filter;
        if !self.chat.follow {
            let sel = self.chat.selected.clamp(first, last);
            return if *filter == ChatFilter::All { Some(sel) } else { nearest_shown(chat, filter, sel) };
        }
        let viewer = |m: &Message| matches!(m.kind, MsgKind::Chat | MsgKind::Question);
        if *filter == ChatFilter::All {
            let floor = first.max(last.saturating_sub(FOLLOW_SEARCH));
            return (floor..=last).rev().find(|&i| chat.get(i).is_some_and(viewer));
        }
        // A view other than All is sparse: look through all of it, a shown message at a time.
        let mut at = last_shown(chat, filter);
        while let Some(i) = at {
            if chat.get(i).is_some_and(viewer) {
                return Some(i);
            }
            at = prev_shown(chat, filter, i);
        }
        None
    }

    /// The selected chat message, if any.
    pub fn selected_message<'a>(&self, desk: &'a Desk) -> Option<&'a Message> {
        self.chat_selected(desk).and_then(|i| desk.chat.get(i))
    }

    /// The msg_id a reply goes to: the selected message's, unless it has none.
    fn reply_target(&self, desk: &Desk) -> Option<String> {
        self.selected_message(desk).map(|m| m.msg_id.clone()).filter(|id| !id.is_empty())
    }

    /// The claim `y` and `n` act on: the selected one while it is listed, else the first open
    /// claim (the oldest held one).
    pub fn claim_selected(&self, desk: &Desk) -> Option<u64> {
        self.claim_selected_in(&claim_rows(desk))
    }

    /// [`ViewState::claim_selected`] among rows already listed.
    pub fn claim_selected_in(&self, rows: &[&Claim]) -> Option<u64> {
        self.claims
            .selected
            .filter(|id| rows.iter().any(|c| c.id == *id))
            .or_else(|| rows.iter().find(|c| c.state.is_open()).map(|c| c.id))
    }

    /// A key press: the adjust popup takes it if open, else the keymap of the current mode,
    /// else the canned replies.
    pub fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap, desk: &Desk) -> Effect {
        if self.adjust.is_some() {
            return self.on_adjust_key(key);
        }
        if self.picker.is_some() {
            return self.on_picker_key(key, desk);
        }
        if self.search.is_some() {
            return self.on_search_key(key);
        }
        if let Some(retag) = &self.retag {
            return match retag.on_key(key) {
                RetagKey::Stay => Effect::None,
                RetagKey::Close => {
                    self.retag = None;
                    Effect::None
                }
                RetagKey::Toggle(action) => {
                    self.retag = None;
                    Effect::Desk(action)
                }
            };
        }
        if let Some(card) = &mut self.card {
            return match card.on_key(key, desk) {
                CardKey::Stay => Effect::None,
                CardKey::Close => {
                    self.card = None;
                    Effect::None
                }
                CardKey::Save(action) => Effect::Desk(action),
            };
        }
        match keymap.lookup(self.mode(), key) {
            Some(action) => self.on_action(action, desk),
            None => self.on_unbound_key(key, desk),
        }
    }

    /// Typing in the reply picker: letters search, arrows choose, enter sends, esc closes.
    /// Its keys are fixed, like the adjust popup's.
    fn on_picker_key(&mut self, key: &KeyEvent, desk: &Desk) -> Effect {
        let Some(picker) = self.picker.as_mut() else { return Effect::None };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let rows = picker::ranked(&desk.replies, &picker.query).len();
        match key.code {
            KeyCode::Esc => self.picker = None,
            KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Char('p') if ctrl => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Down => picker.selected = (picker.selected + 1).min(rows.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => picker.selected = (picker.selected + 1).min(rows.saturating_sub(1)),
            KeyCode::Backspace => {
                picker.query.pop();
                picker.selected = 0;
            }
            KeyCode::Char('u') if ctrl => {
                picker.query.clear();
                picker.selected = 0;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                picker.query.push(c);
                picker.selected = 0;
            }
            KeyCode::Enter => {
                let chosen = picker::ranked(&desk.replies, &picker.query)
                    .get(picker.selected)
                    .map(|r| r.id().to_owned());
                let to = picker.to.clone();
                if let Some(reply) = chosen {
                    self.picker = None;
                    return Effect::Desk(Action::Answer { reply, to });
                }
            }
            _ => {}
        }
        Effect::None
    }

    /// Typing in the stock-adjust popup: its keys are fixed, so no keymap can trap the
    /// operator in it.
    fn on_adjust_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(form) = self.adjust.as_mut() else { return Effect::None };
        let field = match form.field {
            AdjustField::Change => &mut form.change,
            AdjustField::Reason => &mut form.reason,
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.adjust = None,
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                form.field = match form.field {
                    AdjustField::Change => AdjustField::Reason,
                    AdjustField::Reason => AdjustField::Change,
                };
            }
            KeyCode::Backspace => {
                field.pop();
                form.error = None;
            }
            KeyCode::Char('u') if ctrl => {
                field.clear();
                form.error = None;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                let max = if form.field == AdjustField::Change { CHANGE_MAX } else { REASON_MAX };
                if field.chars().count() < max {
                    field.push(c);
                }
                form.error = None;
            }
            KeyCode::Enter => {
                let change = match form.parsed() {
                    Ok(change) => change,
                    Err(e) => {
                        form.error = Some(e);
                        form.field = AdjustField::Change;
                        return Effect::None;
                    }
                };
                if form.field == AdjustField::Change {
                    form.field = AdjustField::Reason;
                    form.error = None;
                    return Effect::None;
                }
                let reason = form.reason.trim().to_owned();
                if reason.is_empty() {
                    form.error = Some("say why, in a few words: it goes in the stock history".into());
                    return Effect::None;
                }
                let sku = form.sku.clone();
                self.adjust = None;
                return Effect::Desk(Action::AdjustStock { sku, change, reason });
            }
            _ => {}
        }
        Effect::None
    }

    /// A key the keymap resolved. Scrolling/focus/selection change view state only;
    /// desk-changing actions come back as Effect::Desk.
    pub fn on_action(&mut self, action: KeyAction, desk: &Desk) -> Effect {
        if self.help_open {
            return self.on_help_action(action);
        }
        if self.adjust.is_some() || self.search.is_some() {
            return Effect::None;
        }
        match action {
            KeyAction::Quit => Effect::Quit,
            KeyAction::Help => {
                self.help_open = true;
                self.help_scroll = 0;
                Effect::None
            }
            KeyAction::Close => Effect::None,
            KeyAction::FocusNext => self.cycle(desk, Pane::next),
            KeyAction::FocusPrev => self.cycle(desk, Pane::prev),
            KeyAction::FocusChat => self.focus_to(Pane::Chat, desk),
            KeyAction::FocusSale => self.focus_to(Pane::Sale, desk),
            KeyAction::FocusStock => self.focus_to(Pane::Stock, desk),
            KeyAction::FocusReplies => self.focus_to(Pane::Replies, desk),
            KeyAction::FocusClaims if desk.claims.enabled() => self.focus_to(Pane::Claims, desk),
            KeyAction::FocusClaims => Effect::None,
            KeyAction::Up => self.move_in(self.focus, Move::Up(1), desk),
            KeyAction::Down => self.move_in(self.focus, Move::Down(1), desk),
            KeyAction::PageUp => self.move_in(self.focus, Move::Up(self.page(self.focus)), desk),
            KeyAction::PageDown => self.move_in(self.focus, Move::Down(self.page(self.focus)), desk),
            KeyAction::Top => self.move_in(self.focus, Move::Top, desk),
            KeyAction::Bottom => self.move_in(self.focus, Move::Bottom, desk),
            KeyAction::Activate => self.activate(desk),
            KeyAction::StartSale => self.start_sale(desk),
            KeyAction::ExtendSale => {
                Effect::Desk(Action::ExtendSale { id: self.selected_running(desk), seconds: 30 })
            }
            KeyAction::EndSale => Effect::Desk(Action::EndSale { id: self.selected_running(desk) }),
            KeyAction::PauseSale => match self.pause_target(desk) {
                Some(s) if matches!(s.state, SaleState::Paused { .. }) => {
                    Effect::Desk(Action::ResumeSale { id: Some(s.spec.id.clone()) })
                }
                // A sale not live yet is named, so the desk says why it cannot pause.
                Some(s) => Effect::Desk(Action::PauseSale { id: Some(s.spec.id.clone()) }),
                None => Effect::Desk(Action::PauseSale { id: None }),
            },
            KeyAction::PinProduct => {
                let selected = self.stock.selected.and_then(|i| desk.catalog.products().get(i));
                match selected.or_else(|| desk.current_product()) {
                    Some(p) => Effect::Desk(Action::PinProduct { sku: Some(p.sku.clone()) }),
                    None => Effect::None,
                }
            }
            KeyAction::UnpinProduct => Effect::Desk(Action::PinProduct { sku: None }),
            KeyAction::AdjustStock => {
                let selected = self.stock.selected.and_then(|i| desk.catalog.products().get(i));
                let product =
                    selected.or_else(|| desk.current_product()).or_else(|| desk.catalog.products().first());
                if let Some(p) = product {
                    self.adjust = Some(AdjustForm { sku: p.sku.clone(), ..AdjustForm::default() });
                }
                Effect::None
            }
            KeyAction::ConfirmClaim => self.decide(desk, |id| Action::ConfirmClaim { id }),
            KeyAction::RejectClaim => self.decide(desk, |id| Action::RejectClaim { id }),
            KeyAction::CycleView => self.show_view(self.chat.filter.next()),
            KeyAction::ViewViewer => self.view_viewer(desk),
            KeyAction::Search => self.open_search(),
            KeyAction::DeleteMessage => self.delete_selected(desk),
            KeyAction::MuteViewer => self.mute_selected(desk),
            KeyAction::PinMessage => self.pin_selected(desk),
            KeyAction::ViewAll => self.show_view(ChatFilter::All),
            KeyAction::ViewQuestions => self.show_view(ChatFilter::Questions),
            KeyAction::ViewBuyers => self.show_view(ChatFilter::Buyers),
            KeyAction::ViewUnanswered => self.show_view(ChatFilter::Unanswered),
            KeyAction::ViewMentions => self.show_view(ChatFilter::Mentions),
            KeyAction::PickReply => {
                self.picker = Some(Picker { to: self.reply_target(desk), ..Picker::default() });
                Effect::None
            }
            KeyAction::SendSuggestion => {
                let Some(to) = self.reply_target(desk) else { return Effect::None };
                match desk.suggestion(&to) {
                    Some(reply) => {
                        Effect::Desk(Action::Answer { reply: reply.id().to_owned(), to: Some(to) })
                    }
                    None => Effect::None,
                }
            }
            KeyAction::Retag => {
                let target = self
                    .selected_message(desk)
                    .filter(|m| matches!(m.kind, MsgKind::Chat | MsgKind::Question));
                self.retag =
                    target.map(|m| Retag { msg_id: m.msg_id.clone() }).filter(|r| !r.msg_id.is_empty());
                Effect::None
            }
            KeyAction::MarkHandled => match self.reply_target(desk) {
                Some(msg_id) => Effect::Desk(Action::MarkHandled { msg_id }),
                None => Effect::None,
            },
            KeyAction::ToggleStats => {
                self.stats_open = !self.stats_open;
                Effect::None
            }
        }
    }

    /// Shows a chat view and focuses the Chat pane; a pause and its selection carry over
    /// (the selection moves to the nearest message the view shows).
    pub(crate) fn show_view(&mut self, filter: ChatFilter) -> Effect {
        self.chat.filter = filter;
        self.focus = Pane::Chat;
        Effect::None
    }

    /// Confirms or rejects the selected claim, and moves the selection to the next open claim
    /// so that pressing the key again works down the list.
    fn decide(&mut self, desk: &Desk, action: impl FnOnce(u64) -> Action) -> Effect {
        let Some(id) = self.claim_selected(desk) else { return Effect::None };
        let rows = claim_rows(desk);
        let at = rows.iter().position(|c| c.id == id).unwrap_or(0);
        let next = rows[at + 1..]
            .iter()
            .chain(rows[..at].iter().rev())
            .find(|c| c.state.is_open() && c.id != id)
            .map(|c| c.id);
        self.claims.selected = next;
        Effect::Desk(action(id))
    }

    fn cycle(&mut self, desk: &Desk, step: fn(Pane) -> Pane) -> Effect {
        let mut pane = step(self.focus);
        if pane == Pane::Claims && !desk.claims.enabled() {
            pane = step(pane);
        }
        self.focus_to(pane, desk)
    }

    /// A key no keymap entry took: if it is a canned reply's key (replies.toml `key`), send
    /// that reply to the selected chat message.
    pub fn on_unbound_key(&mut self, key: &KeyEvent, desk: &Desk) -> Effect {
        if self.help_open
            || self.adjust.is_some()
            || self.picker.is_some()
            || self.search.is_some()
            || self.card.is_some()
            || key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return Effect::None;
        }
        let label = chord_label(&KeyChord::from_event(key));
        // Sent by id, so the journal counts its uses even if the file moves it to another key.
        match desk.replies.by_key(&label) {
            Some(r) => Effect::Desk(Action::Answer { reply: r.id().to_owned(), to: self.reply_target(desk) }),
            None => Effect::None,
        }
    }

    /// Mouse: click focuses a pane (and selects a row), wheel scrolls the pane under the
    /// pointer.
    pub fn on_mouse(&mut self, ev: &MouseEvent, desk: &Desk) -> Effect {
        let pos = Position::new(ev.column, ev.row);
        if self.adjust.is_some() || self.search.is_some() || self.card.is_some() {
            return Effect::None;
        }
        if self.help_open {
            match ev.kind {
                MouseEventKind::ScrollUp => {
                    self.help_scroll = self.help_scroll.saturating_sub(WHEEL_STEP as u16)
                }
                MouseEventKind::ScrollDown => {
                    self.help_scroll = (self.help_scroll + WHEEL_STEP as u16).min(self.hits.help_max);
                }
                MouseEventKind::Down(MouseButton::Left) if !self.hits.help.contains(pos) => {
                    self.help_open = false;
                }
                _ => {}
            }
            return Effect::None;
        }
        let Some(pane) = self.hits.panes.iter().find(|(_, r)| r.contains(pos)).map(|(p, _)| *p) else {
            return Effect::None;
        };
        match ev.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                self.click(pane, pos, desk);
            }
            MouseEventKind::ScrollUp => {
                self.move_in(pane, Move::Up(WHEEL_STEP), desk);
            }
            MouseEventKind::ScrollDown => {
                self.move_in(pane, Move::Down(WHEEL_STEP), desk);
            }
            _ => {}
        }
        Effect::None
    }

    fn click(&mut self, pane: Pane, pos: Position, desk: &Desk) {
        let row = |area: Rect| area.contains(pos).then(|| usize::from(pos.y - area.y));
        match pane {
            Pane::Chat => {
                if self.hits.chat_new_line.contains(pos) {
                    self.chat.follow = true;
                } else if let Some(i) = row(self.hits.chat_rows_area)
                    .and_then(|r| self.hits.chat_rows.get(r).copied().flatten())
                    .filter(|&i| desk.chat.get(i).is_some())
                {
                    self.pause(desk);
                    self.chat.selected = i;
                }
            }
            Pane::Sale => {
                let (len, rows) = (desk.sales.all().len(), self.hits.sale_rows);
                Self::click_list(&mut self.sale, row(rows), len);
            }
            Pane::Stock => {
                let (len, rows) = (desk.catalog.products().len(), self.hits.stock_rows);
                Self::click_list(&mut self.stock, row(rows), len);
            }
            Pane::Replies => {
                let (len, rows) = (desk.replies.all().len(), self.hits.replies_rows);
                Self::click_list(&mut self.replies, row(rows), len);
            }
            Pane::Claims => {
                if let Some(id) = row(self.hits.claims_rows).and_then(|r| self.hits.claim_ids.get(r)) {
                    self.claims.selected = Some(*id);
                }
            }
        }
    }

    fn click_list(list: &mut ListView, row: Option<usize>, len: usize) {
        if let Some(i) = row.map(|r| list.offset + r).filter(|&i| i < len) {
            list.selected = Some(i);
        }
    }

    fn on_help_action(&mut self, action: KeyAction) -> Effect {
        let page = self.hits.help_page.max(1);
        match action {
            KeyAction::Quit => return Effect::Quit,
            KeyAction::Close | KeyAction::Help => self.help_open = false,
            KeyAction::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            KeyAction::Down => self.help_scroll = self.help_scroll.saturating_add(1),
            KeyAction::PageUp => self.help_scroll = self.help_scroll.saturating_sub(page),
            KeyAction::PageDown => self.help_scroll = self.help_scroll.saturating_add(page),
            KeyAction::Top => self.help_scroll = 0,
            KeyAction::Bottom => self.help_scroll = u16::MAX,
            _ => {}
        }
        if self.hits.help_page > 0 {
            self.help_scroll = self.help_scroll.min(self.hits.help_max);
        }
        Effect::None
    }

    /// Focuses a pane; a list focused for the first time selects its first row, so that
    /// `enter` always has something to act on.
    fn focus_to(&mut self, pane: Pane, desk: &Desk) -> Effect {
        self.focus = pane;
        let (list, len) = match pane {
            // Claims select by id, and `y`/`n` fall back to the oldest open claim.
            Pane::Chat | Pane::Claims => return Effect::None,
            Pane::Sale => (&mut self.sale, desk.sales.all().len()),
            Pane::Stock => (&mut self.stock, desk.catalog.products().len()),
            Pane::Replies => (&mut self.replies, desk.replies.all().len()),
        };
        if list.selected.is_none() && len > 0 {
            list.selected = Some(0);
        }
        Effect::None
    }

    fn page(&self, pane: Pane) -> usize {
        let rows = |r: Rect| usize::from(r.height).max(1);
        match pane {
            Pane::Chat => self.chat.page.max(1),
            Pane::Sale => rows(self.hits.sale_rows),
            Pane::Stock => rows(self.hits.stock_rows),
            Pane::Replies => rows(self.hits.replies_rows),
            Pane::Claims => rows(self.hits.claims_rows),
        }
    }

    /// Stops following, keeping the current view and selection where they are.
    fn pause(&mut self, desk: &Desk) {
        if !self.chat.follow {
            return;
        }
        let last =
            last_shown(&desk.chat, &self.chat.filter).unwrap_or(desk.chat.next_index().saturating_sub(1));
        let anchor = self.hits.chat_bottom.filter(|&b| b <= last).unwrap_or(last);
        self.chat.selected = self.chat_selected(desk).unwrap_or(anchor);
        self.chat.anchor = anchor;
        self.chat.new_from = anchor + 1;
        self.chat.follow = false;
    }

    fn move_in(&mut self, pane: Pane, m: Move, desk: &Desk) -> Effect {
        match pane {
            Pane::Chat => self.move_chat(m, desk),
            Pane::Sale => Self::move_list(&mut self.sale, m, desk.sales.all().len()),
            Pane::Stock => Self::move_list(&mut self.stock, m, desk.catalog.products().len()),
            Pane::Replies => Self::move_list(&mut self.replies, m, desk.replies.all().len()),
            Pane::Claims => {
                let rows = claim_rows(desk);
                let mut list = ListView {
                    selected: self.claim_selected(desk).and_then(|id| rows.iter().position(|c| c.id == id)),
                    offset: self.claims.offset,
                };
                Self::move_list(&mut list, m, rows.len());
                self.claims.selected = list.selected.and_then(|i| rows.get(i)).map(|c| c.id);
            }
        }
        Effect::None
    }

    fn move_chat(&mut self, m: Move, desk: &Desk) {
        if desk.chat.is_empty() {
            return;
        }
        let (first, last) = (desk.chat.first_index(), desk.chat.next_index() - 1);
        if self.chat.filter != ChatFilter::All {
            let filter = self.chat.filter.clone();
            return self.move_in_view(m, desk, &filter);
        }
        match m {
            Move::Bottom => self.chat.follow = true,
            Move::Top => {
                self.pause(desk);
                self.chat.selected = first;
            }
            Move::Up(n) => {
                self.pause(desk);
                let cur = self.chat.selected.clamp(first, last);
                self.chat.selected = cur.saturating_sub(n as u64).max(first);
            }
            Move::Down(n) => {
                if self.chat.follow {
                    return;
                }
                let cur = self.chat.selected.clamp(first, last);
                if cur == last {
                    self.chat.follow = true;
                } else {
                    self.chat.selected = (cur + n as u64).min(last);
                }
            }
        }
    }

    /// Moving in a chat view other than All: only through the messages it shows.
    fn move_in_view(&mut self, m: Move, desk: &Desk, filter: &ChatFilter) {
        let chat = &desk.chat;
        let Some(last) = last_shown(chat, filter) else { return };
        match m {
            Move::Bottom => self.chat.follow = true,
            Move::Top => {
                self.pause(desk);
                self.chat.selected = nearest_shown(chat, filter, chat.first_index()).unwrap_or(last);
            }
            Move::Up(n) => {
                self.pause(desk);
                let mut cur = self.chat_selected(desk).unwrap_or(last);
                for _ in 0..n {
                    match prev_shown(chat, filter, cur) {
                        Some(p) => cur = p,
                        None => break,
                    }
                }
                self.chat.selected = cur;
            }
            Move::Down(n) => {
                if self.chat.follow {
                    return;
                }
                let mut cur = self.chat_selected(desk).unwrap_or(last);
                if cur >= last {
                    self.chat.follow = true;
                    return;
                }
                for _ in 0..n {
                    match next_shown(chat, filter, cur) {
                        Some(x) => cur = x,
                        None => break,
                    }
                }
                self.chat.selected = cur;
            }
        }
    }

    fn move_list(list: &mut ListView, m: Move, len: usize) {
        if len == 0 {
            list.selected = None;
            return;
        }
        let last = len - 1;
        list.selected = Some(match (m, list.selected) {
            (Move::Top, _) | (Move::Up(_) | Move::Down(_), None) => 0,
            (Move::Bottom, _) => last,
            (Move::Up(n), Some(i)) => i.min(last).saturating_sub(n),
            (Move::Down(n), Some(i)) => (i + n).min(last),
        });
    }

    fn activate(&mut self, desk: &Desk) -> Effect {
        match self.focus {
            // The card of whoever wrote the selected comment or made the selected claim;
            // confirming a claim is its own key (y), never a stray enter.
            Pane::Chat => {
                let user = self.selected_message(desk).map(|m| m.user_id.clone());
                self.card = user.and_then(|u| CardView::open(desk, &u));
                Effect::None
            }
            Pane::Claims => {
                let user =
                    self.claim_selected(desk).and_then(|id| desk.claims.get(id)).map(|c| c.user_id.clone());
                self.card = user.and_then(|u| CardView::open(desk, &u));
                Effect::None
            }
            Pane::Replies => match self.replies.selected.and_then(|i| desk.replies.all().get(i)) {
                Some(r) => {
                    Effect::Desk(Action::Answer { reply: r.id().to_owned(), to: self.reply_target(desk) })
                }
                None => Effect::None,
            },
            Pane::Sale => match self.sale.selected.and_then(|i| desk.sales.all().get(i)) {
                Some(sale) if sale.state == SaleState::Planned => {
                    Effect::Desk(Action::StartSale { id: sale.spec.id.clone() })
                }
                _ => Effect::None,
            },
            Pane::Stock => match self.stock.selected.and_then(|i| desk.catalog.products().get(i)) {
                Some(p) => Effect::Desk(Action::PinProduct { sku: Some(p.sku.clone()) }),
                None => Effect::None,
            },
        }
    }

    /// The id of the sale selected in the Flash sale pane, if it is running: sale keys act
    /// on it; otherwise the desk picks the one started last.
    fn selected_running(&self, desk: &Desk) -> Option<String> {
        let selected = self.sale.selected.and_then(|i| desk.sales.all().get(i));
        selected.filter(|s| s.is_running()).map(|s| s.spec.id.clone())
    }

    /// The sale the pause key toggles: the selected one if it is running, else the live or
    /// paused one started last.
    pub fn pause_target<'a>(&self, desk: &'a Desk) -> Option<&'a Sale> {
        let selected = self.sale.selected.and_then(|i| desk.sales.all().get(i)).filter(|s| s.is_running());
        selected.or_else(|| {
            desk.sales
                .running()
                .filter(|s| matches!(s.state, SaleState::Live { .. } | SaleState::Paused { .. }))
                .max_by_key(|s| s.started_at())
        })
    }

    fn start_sale(&mut self, desk: &Desk) -> Effect {
        let selected = self.sale.selected.and_then(|i| desk.sales.all().get(i));
        let sale = match selected {
            Some(s) if s.state == SaleState::Planned => Some(s),
            // Not startable: the next planned one, else the selected one so the desk says why.
            _ => desk.sales.next_planned().or(selected),
        };
        match sale {
            Some(s) => Effect::Desk(Action::StartSale { id: s.spec.id.clone() }),
            None => Effect::None,
        }
    }
}
