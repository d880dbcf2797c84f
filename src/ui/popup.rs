//! The popups over the panes: the help, the stock-adjust form, the reply picker, the chat
//! search line, the re-tag line and the viewer card. One is open at a time, and while it is open it takes every
//! key and the mouse; each popup's state, keys and drawing live in its own file, and the
//! guards here are one match each, so a new popup cannot slip past one of them.

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::config::keymap::{KeyAction, Keymap, Mode};
use crate::desk::Desk;
use crate::ui::hits::Hits;
use crate::ui::panes::adjust::AdjustForm;
use crate::ui::panes::card::CardView;
use crate::ui::panes::help::HelpView;
use crate::ui::panes::picker::Picker;
use crate::ui::panes::retag::Retag;
use crate::ui::panes::search_line::SearchLine;
use crate::ui::panes::{self, Ctx};
use crate::ui::popup_key::PopupKey;

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
    /// Fixing the tags of one comment, drawn on the Chat pane's bottom row.
    Retag(Retag),
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
            Popup::Retag(retag) => retag.on_key(key),
        }
    }

    /// A key the keymap already resolved (as benches and scripted keys send): only the help
    /// reads actions; a popup that takes typing ignores them.
    pub(crate) fn on_action(&mut self, action: KeyAction, hits: &Hits) -> PopupKey {
        match self {
            Popup::Help(help) => help.on_action(action, hits),
            Popup::Adjust(_) | Popup::Picker(_) | Popup::Search(_) | Popup::Card(_) | Popup::Retag(_) => {
                PopupKey::Stay
            }
        }
    }

    /// The mouse: the help scrolls with the wheel and closes on a click outside it; the
    /// others ignore it, so a click cannot move the selection their enter acts on.
    pub(crate) fn on_mouse(&mut self, ev: &MouseEvent, hits: &Hits) -> PopupKey {
        match self {
            Popup::Help(help) => help.on_mouse(ev, hits),
            Popup::Adjust(_) | Popup::Picker(_) | Popup::Search(_) | Popup::Card(_) | Popup::Retag(_) => {
                PopupKey::Stay
            }
        }
    }

    /// Draws the popup over the panes.
    pub(crate) fn draw(&mut self, buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, hits: &mut Hits) {
        match self {
            Popup::Help(help) => panes::help::draw(buf, screen, ctx, help, hits),
            Popup::Adjust(form) => panes::adjust::draw(buf, screen, ctx, form),
            Popup::Picker(picker) => panes::picker::draw(buf, screen, ctx, picker),
            Popup::Card(card) => panes::card::draw(buf, screen, ctx, card),
            // The Chat pane draws these on its bottom rows, under the messages they act on.
            Popup::Search(_) | Popup::Retag(_) => {}
        }
    }
}
