//! View state: focus, selections, chat follow/pause, the open popup, and what keys do to
//! them. Domain changes leave as [`Effect::Desk`]; nothing here mutates the desk.

use crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use crate::config::keymap::{KeyAction, KeyChord, Keymap, Mode, chord_label};
use crate::desk::catalog::Product;
use crate::desk::chat::{Message, MsgKind};
use crate::desk::claims::{Claim, ClaimState};
use crate::desk::giveaways::Seed;
use crate::desk::sales::{Sale, SaleState};
use crate::desk::show::Cue;
use crate::desk::{Action, Desk};
pub use crate::ui::chat_filter::{ChatFilter, last_shown, nearest_shown, next_shown, prev_shown};
use crate::ui::hits::Hits;
use crate::ui::pane::Move;
pub use crate::ui::pane::Pane;
use crate::ui::panes::adjust::AdjustForm;
use crate::ui::panes::card::CardView;
use crate::ui::panes::help::HelpView;
use crate::ui::panes::picker::Picker;
use crate::ui::panes::retag::Retag;
use crate::ui::panes::search_line::SearchLine;
use crate::ui::popup::Popup;
use crate::ui::popup_key::PopupKey;

/// The giveaway the show's cue on now names, while it waits to start (else the next one).
fn show_giveaway(desk: &Desk) -> Option<String> {
    let cue @ Cue::Giveaway { id } = desk.show().current().map(|(_, c)| c)? else { return None };
    desk.cue_waits_to_start(cue).then(|| id.clone())
}

/// A fresh draw seed when the next cue starts its giveaway on arrival (`start = true`): it
/// travels in the step, like the giveaway key's, so the journal holds it.
fn arrival_seed(desk: &Desk) -> Option<Seed> {
    let (i, cue) = desk.show().next()?;
    (matches!(cue, Cue::Giveaway { .. }) && desk.cue_starts_on_arrival(i)).then(|| Seed(fastrand::u64(..)))
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
    let open = desk.claims().open();
    let mut held: Vec<&Claim> =
        open.filter(|c| matches!(c.state, ClaimState::Active { .. } | ClaimState::Unpaid { .. })).collect();
    held.sort_by_key(|c| (c.seq, c.id));
    let mut waiting: Vec<&Claim> = desk.claims().open().filter(|c| c.state == ClaimState::Waiting).collect();
    waiting.sort_by_key(|c| (c.seq, c.id));
    held.extend(waiting);
    held.extend(desk.claims().done().rev().take(CLAIMS_DONE_SHOWN));
    held
}

/// Everything the UI remembers between frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewState {
    pub focus: Pane,
    /// The Stats pane is shown (under the chat).
    pub stats_open: bool,
    /// The popup over the panes, while one is open: it takes every key and the mouse.
    pub popup: Option<Popup>,
    pub chat: ChatView,
    pub sale: ListView,
    pub stock: ListView,
    pub replies: ListView,
    pub claims: ClaimsView,
    /// On a team desk: who holds the feed and where each operator is (the app keeps it).
    pub team: Option<String>,
    /// Drawing the host's screen (`--host-view`) instead of the operator's panes.
    pub host: bool,
    pub(crate) hits: Hits,
}

impl Default for ViewState {
    fn default() -> Self {
        Self::new()
    }
}

impl ViewState {
    /// A fresh view: chat focused and following.
    pub fn new() -> Self {
        ViewState {
            focus: Pane::Chat,
            stats_open: false,
            popup: None,
            chat: ChatView { follow: true, page: 10, ..ChatView::default() },
            sale: ListView::default(),
            stock: ListView::default(),
            replies: ListView::default(),
            claims: ClaimsView::default(),
            team: None,
            host: false,
            hits: Hits::default(),
        }
    }

    /// The keymap table that applies now.
    pub fn mode(&self) -> Mode {
        if self.help_open() { Mode::Help } else { Mode::Normal }
    }

    /// Whether the chat shows the newest messages as they arrive.
    pub fn following(&self) -> bool {
        self.chat.follow
    }

    /// Messages that arrived since the chat was paused (0 while following).
    pub fn new_since_pause(&self, desk: &Desk) -> u64 {
        let chat = &desk.chat();
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
        let chat = &desk.chat();
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
        self.chat_selected(desk).and_then(|i| desk.chat().get(i))
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

    /// A key press: the open popup takes it, else the keymap, else the canned replies.
    pub fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap, desk: &Desk) -> Effect {
        if let Some(popup) = &mut self.popup {
            let did = popup.on_key(key, keymap, desk, &self.hits);
            return self.popup_did(did);
        }
        // A held reply's keys come first: the line under the chat says what they do.
        if desk.held().is_some()
            && let Some(action) = keymap.lookup(Mode::Held, key)
        {
            return self.on_action(action, desk);
        }
        match keymap.lookup(self.mode(), key) {
            Some(action) => self.on_action(action, desk),
            None => self.on_unbound_key(key, desk),
        }
    }

    /// A key the keymap resolved. Scrolling/focus/selection change view state only;
    /// desk-changing actions come back as Effect::Desk.
    pub fn on_action(&mut self, action: KeyAction, desk: &Desk) -> Effect {
        if let Some(popup) = &mut self.popup {
            let did = popup.on_action(action, &self.hits);
            return self.popup_did(did);
        }
        match action {
            KeyAction::Quit => Effect::Quit,
            KeyAction::Help => {
                self.popup = Some(Popup::Help(HelpView::default()));
                Effect::None
            }
            KeyAction::Close => Effect::None,
            KeyAction::FocusNext => self.cycle(desk, Pane::next),
            KeyAction::FocusPrev => self.cycle(desk, Pane::prev),
            KeyAction::FocusChat => self.focus_to(Pane::Chat, desk),
            KeyAction::FocusSale => self.focus_to(Pane::Sale, desk),
            KeyAction::FocusStock => self.focus_to(Pane::Stock, desk),
            KeyAction::FocusReplies => self.focus_to(Pane::Replies, desk),
            KeyAction::FocusClaims if desk.claims().enabled() => self.focus_to(Pane::Claims, desk),
            KeyAction::FocusClaims => Effect::None,
            KeyAction::Up => self.move_in(self.focus, Move::Up(1), desk),
            KeyAction::Down => self.move_in(self.focus, Move::Down(1), desk),
            KeyAction::PageUp => self.move_in(self.focus, Move::Up(self.page(self.focus)), desk),
            KeyAction::PageDown => self.move_in(self.focus, Move::Down(self.page(self.focus)), desk),
            KeyAction::Top => self.move_in(self.focus, Move::Top, desk),
            KeyAction::Bottom => self.move_in(self.focus, Move::Bottom, desk),
            KeyAction::Activate => self.activate(desk),
            KeyAction::StartSale => self.start_sale(desk),
            // The draw's seed is picked here, at random, and travels in the action: the desk
            // takes its randomness as input, so the journal holds it and a replay draws the same.
            KeyAction::StartGiveaway => {
                Effect::Desk(Action::StartGiveaway { id: show_giveaway(desk), seed: Seed(fastrand::u64(..)) })
            }
            KeyAction::NextCue => Effect::Desk(Action::NextCue { seed: arrival_seed(desk) }),
            KeyAction::PreviousCue => Effect::Desk(Action::PreviousCue {}),
            KeyAction::DrawGiveaway => Effect::Desk(Action::DrawGiveaway { seed: Seed(fastrand::u64(..)) }),
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
                let selected = self.stock.selected.and_then(|i| desk.catalog().products().get(i));
                match selected.or_else(|| desk.current_product()) {
                    Some(p) => Effect::Desk(Action::PinProduct { sku: Some(p.sku.clone()) }),
                    None => Effect::None,
                }
            }
            KeyAction::UnpinProduct => Effect::Desk(Action::PinProduct { sku: None }),
            KeyAction::AdjustStock => {
                let product = self.stock_target(desk).or_else(|| desk.catalog().products().first());
                if let Some(p) = product {
                    self.popup = Some(Popup::Adjust(AdjustForm::new(&p.sku)));
                }
                Effect::None
            }
            KeyAction::ToggleWaitlist => match self.stock_target(desk) {
                Some(p) if desk.claims().enabled() => Effect::Desk(Action::Waitlist {
                    sku: p.sku.clone(),
                    open: desk.claims().waitlist_closed(&p.sku),
                }),
                _ => Effect::None,
            },
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
                self.popup = Some(Popup::Picker(Picker::new(self.reply_target(desk))));
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
                if let Some(retag) =
                    target.map(|m| Retag { msg_id: m.msg_id.clone() }).filter(|r| !r.msg_id.is_empty())
                {
                    self.popup = Some(Popup::Retag(retag));
                }
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
            KeyAction::SendHeld if desk.held().is_some() => Effect::Desk(Action::SendHeld {}),
            KeyAction::DropHeld if desk.held().is_some() => Effect::Desk(Action::DropHeld {}),
            KeyAction::SendHeld | KeyAction::DropHeld => Effect::None,
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
        if pane == Pane::Claims && !desk.claims().enabled() {
            pane = step(pane);
        }
        self.focus_to(pane, desk)
    }

    /// A key no keymap entry took: if it is a canned reply's key (replies.toml `key`), send
    /// that reply to the selected chat message.
    pub fn on_unbound_key(&mut self, key: &KeyEvent, desk: &Desk) -> Effect {
        if self.popup.is_some() || key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return Effect::None;
        }
        let label = chord_label(&KeyChord::from_event(key));
        // Sent by id, so the journal counts its uses even if the file moves it to another key.
        match desk.replies().by_key(&label) {
            Some(r) => Effect::Desk(Action::Answer { reply: r.id().to_owned(), to: self.reply_target(desk) }),
            None => Effect::None,
        }
    }

    /// Focuses a pane; a list focused for the first time selects its first row, so that
    /// `enter` always has something to act on.
    fn focus_to(&mut self, pane: Pane, desk: &Desk) -> Effect {
        self.focus = pane;
        let (list, len) = match pane {
            // Claims select by id, and `y`/`n` fall back to the oldest open claim.
            Pane::Chat | Pane::Claims => return Effect::None,
            Pane::Sale => (&mut self.sale, desk.sales().all().len()),
            Pane::Stock => (&mut self.stock, desk.catalog().products().len()),
            Pane::Replies => (&mut self.replies, desk.replies().all().len()),
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

    fn activate(&mut self, desk: &Desk) -> Effect {
        match self.focus {
            // The card of whoever wrote the selected comment or made the selected claim;
            // confirming a claim is its own key (y), never a stray enter.
            Pane::Chat => {
                let user = self.selected_message(desk).map(|m| m.user_id.clone());
                self.popup = user.and_then(|u| CardView::open(desk, &u)).map(Popup::Card);
                Effect::None
            }
            Pane::Claims => {
                let user =
                    self.claim_selected(desk).and_then(|id| desk.claims().get(id)).map(|c| c.user_id.clone());
                self.popup = user.and_then(|u| CardView::open(desk, &u)).map(Popup::Card);
                Effect::None
            }
            Pane::Replies => match self.replies.selected.and_then(|i| desk.replies().all().get(i)) {
                Some(r) => {
                    Effect::Desk(Action::Answer { reply: r.id().to_owned(), to: self.reply_target(desk) })
                }
                None => Effect::None,
            },
            Pane::Sale => match self.sale.selected.and_then(|i| desk.sales().all().get(i)) {
                Some(sale) if sale.state == SaleState::Planned => {
                    Effect::Desk(Action::StartSale { id: sale.spec.id.clone() })
                }
                _ => Effect::None,
            },
            Pane::Stock => match self.stock.selected.and_then(|i| desk.catalog().products().get(i)) {
                Some(p) => Effect::Desk(Action::PinProduct { sku: Some(p.sku.clone()) }),
                None => Effect::None,
            },
        }
    }

    /// The product the stock keys act on: the selected row, else the one the sell-out prompt
    /// names (its keys are on screen), else the one the stream is about.
    pub fn stock_target<'a>(&self, desk: &'a Desk) -> Option<&'a Product> {
        let selected = self.stock.selected.and_then(|i| desk.catalog().products().get(i));
        let prompted = || desk.sell_out_prompt(desk.now()).and_then(|s| desk.catalog().product(&s.sku));
        selected.or_else(prompted).or_else(|| desk.current_product())
    }

    /// The id of the sale selected in the Flash sale pane, if it is running: sale keys act
    /// on it; otherwise the desk picks the one started last.
    fn selected_running(&self, desk: &Desk) -> Option<String> {
        let selected = self.sale.selected.and_then(|i| desk.sales().all().get(i));
        selected.filter(|s| s.is_running()).map(|s| s.spec.id.clone())
    }

    /// The sale the pause key toggles: the selected one if it is running, else the live or
    /// paused one started last.
    pub fn pause_target<'a>(&self, desk: &'a Desk) -> Option<&'a Sale> {
        let selected = self.sale.selected.and_then(|i| desk.sales().all().get(i)).filter(|s| s.is_running());
        selected.or_else(|| {
            desk.sales()
                .running()
                .filter(|s| matches!(s.state, SaleState::Live { .. } | SaleState::Paused { .. }))
                .max_by_key(|s| s.started_at())
        })
    }

    /// The sale the start key starts: the show's cue on now if it is a sale not yet run, else
    /// the selected one if planned, else the next planned one, else the selected one so the
    /// desk says why not.
    pub fn start_target<'a>(&self, desk: &'a Desk) -> Option<&'a Sale> {
        if let Some(Cue::Sale { id }) = desk.show().current().map(|(_, c)| c)
            && let Some(s) =
                desk.sales().all().iter().find(|s| s.spec.id == *id && s.state == SaleState::Planned)
        {
            return Some(s);
        }
        let selected = self.sale.selected.and_then(|i| desk.sales().all().get(i));
        match selected {
            Some(s) if s.state == SaleState::Planned => Some(s),
            _ => desk.sales().next_planned().or(selected),
        }
    }

    fn start_sale(&mut self, desk: &Desk) -> Effect {
        match self.start_target(desk) {
            Some(s) => Effect::Desk(Action::StartSale { id: s.spec.id.clone() }),
            None => Effect::None,
        }
    }

    /// Applies what the open popup said to a key or a click.
    pub(crate) fn popup_did(&mut self, did: PopupKey) -> Effect {
        match did {
            PopupKey::Stay => Effect::None,
            PopupKey::Close => {
                self.popup = None;
                Effect::None
            }
            PopupKey::Save(action) => Effect::Desk(action),
            PopupKey::Send(action) => {
                self.popup = None;
                Effect::Desk(action)
            }
            PopupKey::Show(filter) => {
                self.popup = None;
                self.show_view(filter)
            }
            PopupKey::Quit => Effect::Quit,
        }
    }

    /// The re-tag line, while open.
    pub fn retag(&self) -> Option<&Retag> {
        match &self.popup {
            Some(Popup::Retag(retag)) => Some(retag),
            _ => None,
        }
    }

    /// Whether the help is open.
    pub fn help_open(&self) -> bool {
        matches!(self.popup, Some(Popup::Help(_)))
    }

    /// The help's first line shown (0 while it is closed).
    pub fn help_scroll(&self) -> u16 {
        match &self.popup {
            Some(Popup::Help(help)) => help.scroll,
            _ => 0,
        }
    }

    /// The stock-adjust form, while it is open.
    pub fn adjust(&self) -> Option<&AdjustForm> {
        match &self.popup {
            Some(Popup::Adjust(form)) => Some(form),
            _ => None,
        }
    }

    /// The reply picker, while it is open.
    pub fn picker(&self) -> Option<&Picker> {
        match &self.popup {
            Some(Popup::Picker(picker)) => Some(picker),
            _ => None,
        }
    }

    /// The chat search line, while it is open.
    pub fn search(&self) -> Option<&SearchLine> {
        match &self.popup {
            Some(Popup::Search(line)) => Some(line),
            _ => None,
        }
    }

    /// The viewer card, while it is open.
    pub fn card(&self) -> Option<&CardView> {
        match &self.popup {
            Some(Popup::Card(card)) => Some(card),
            _ => None,
        }
    }
}
