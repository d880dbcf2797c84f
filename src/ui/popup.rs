//! The popups over the panes: the help, the stock-adjust form, the reply picker, the chat
//! search line and the viewer card. One is open at a time, and while it is open it takes every
//! key and the mouse; each popup's state, keys and drawing live in its own file, and the
//! guards here are one match each, so a new popup cannot slip past one of them.

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::config::keymap::{KeyAction, Keymap, Mode};
use crate::desk::{Action, Desk};
use crate::ui::panes::adjust::AdjustForm;
use crate::ui::panes::card::CardView;
use crate::ui::panes::help::HelpView;
use crate::ui::panes::picker::Picker;
use crate::ui::panes::search_line::SearchLine;
use crate::ui::panes::{self, Ctx};
use crate::ui::view::{ChatFilter, Effect, Hits, ViewState};

/// The open popup, with its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Popup {
    /// Every key binding; the keymap's help table drives it.
    Help(HelpView),
    /// Changing a product's units on hand, with a reason.
    Adjust(AdjustForm),
    /// Finding a canned reply by a few letters.
    Picker(Picker),
    /// The chat search line, drawn on the Chat pane's bottom rows.
    Search(SearchLine),
    /// A viewer's card, with their note and tags.
    Card(CardView),
}

/// What a key or a click did to the open popup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PopupKey {
    /// It stays open, nothing else changes.
    Stay,
    /// It closes.
    Close,
    /// It stays open and asks the desk for this (the card saving a note).
    Save(Action),
    /// It closes and asks the desk for this.
    Send(Action),
    /// It closes and the chat shows this view (the search line's enter).
    Show(ChatFilter),
    /// Leave livedesk.
    Quit,
}

impl Popup {
    /// A key press. The help reads the keymap's help table; the others take typing, so their
    /// keys are fixed and no keymap can trap the operator in them.
    pub(crate) fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap, desk: &Desk, hits: &Hits) -> PopupKey {
        match self {
            Popup::Help(help) => match keymap.lookup(Mode::Help, key) {
                Some(action) => help.on_action(action, hits),
                None => PopupKey::Stay,
            },
            Popup::Adjust(form) => form.on_key(key),
            Popup::Picker(picker) => picker.on_key(key, desk),
            Popup::Search(line) => line.on_key(key),
            Popup::Card(card) => card.on_key(key, desk),
        }
    }

    /// A key the keymap already resolved (as benches and scripted keys send): only the help
    /// reads actions; a popup that takes typing ignores them.
    pub(crate) fn on_action(&mut self, action: KeyAction, hits: &Hits) -> PopupKey {
        match self {
            Popup::Help(help) => help.on_action(action, hits),
            Popup::Adjust(_) | Popup::Picker(_) | Popup::Search(_) | Popup::Card(_) => PopupKey::Stay,
        }
    }

    /// The mouse: the help scrolls with the wheel and closes on a click outside it; the
    /// others ignore it, so a click cannot move the selection their enter acts on.
    pub(crate) fn on_mouse(&mut self, ev: &MouseEvent, hits: &Hits) -> PopupKey {
        match self {
            Popup::Help(help) => help.on_mouse(ev, hits),
            Popup::Adjust(_) | Popup::Picker(_) | Popup::Search(_) | Popup::Card(_) => PopupKey::Stay,
        }
    }

    /// Draws the popup over the panes.
    pub(crate) fn draw(&mut self, buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, hits: &mut Hits) {
        match self {
            Popup::Help(help) => panes::help::draw(buf, screen, ctx, help, hits),
            Popup::Adjust(form) => panes::adjust::draw(buf, screen, ctx, form),
            Popup::Picker(picker) => panes::picker::draw(buf, screen, ctx, picker),
            Popup::Card(card) => panes::card::draw(buf, screen, ctx, card),
            // The Chat pane draws it on its bottom rows, under the messages it filters.
            Popup::Search(_) => {}
        }
    }
}

impl ViewState {
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
