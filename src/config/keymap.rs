//! Keymaps: which key does what, per mode. The help popup and the status-bar hints are
//! generated from the active keymap, so they can never disagree with it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// An input mode; each has its own table in a keymap file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The desk itself.
    Normal,
    /// The help popup is open.
    Help,
}

impl Mode {
    /// The table name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Help => "help",
        }
    }
}

/// Everything a key can be bound to. Names are the snake_case strings in keymap files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAction {
    Quit,
    Help,
    Close,
    FocusNext,
    FocusPrev,
    FocusChat,
    FocusSale,
    FocusStock,
    FocusReplies,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Activate,
    StartSale,
    ExtendSale,
    EndSale,
    PinProduct,
    UnpinProduct,
}

impl KeyAction {
    /// Every action, in the order the help screen lists them.
    pub const ALL: [KeyAction; 21] = [
        KeyAction::Help,
        KeyAction::Quit,
        KeyAction::Close,
        KeyAction::StartSale,
        KeyAction::ExtendSale,
        KeyAction::EndSale,
        KeyAction::PinProduct,
        KeyAction::UnpinProduct,
        KeyAction::Activate,
        KeyAction::FocusNext,
        KeyAction::FocusPrev,
        KeyAction::FocusChat,
        KeyAction::FocusSale,
        KeyAction::FocusStock,
        KeyAction::FocusReplies,
        KeyAction::Up,
        KeyAction::Down,
        KeyAction::PageUp,
        KeyAction::PageDown,
        KeyAction::Top,
        KeyAction::Bottom,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            KeyAction::Quit => "quit",
            KeyAction::Help => "help",
            KeyAction::Close => "close",
            KeyAction::FocusNext => "focus_next",
            KeyAction::FocusPrev => "focus_prev",
            KeyAction::FocusChat => "focus_chat",
            KeyAction::FocusSale => "focus_sale",
            KeyAction::FocusStock => "focus_stock",
            KeyAction::FocusReplies => "focus_replies",
            KeyAction::Up => "up",
            KeyAction::Down => "down",
            KeyAction::PageUp => "page_up",
            KeyAction::PageDown => "page_down",
            KeyAction::Top => "top",
            KeyAction::Bottom => "bottom",
            KeyAction::Activate => "activate",
            KeyAction::StartSale => "start_sale",
            KeyAction::ExtendSale => "extend_sale",
            KeyAction::EndSale => "end_sale",
            KeyAction::PinProduct => "pin_product",
            KeyAction::UnpinProduct => "unpin_product",
        }
    }

    /// What the action does, as the help screen says it.
    pub fn describe(self) -> &'static str {
        match self {
            KeyAction::Quit => "quit livedesk",
            KeyAction::Help => "show this help",
            KeyAction::Close => "close this popup",
            KeyAction::FocusNext => "focus the next pane",
            KeyAction::FocusPrev => "focus the previous pane",
            KeyAction::FocusChat => "focus Chat",
            KeyAction::FocusSale => "focus Flash sale",
            KeyAction::FocusStock => "focus Stock",
            KeyAction::FocusReplies => "focus Replies",
            KeyAction::Up => "move up / scroll back",
            KeyAction::Down => "move down",
            KeyAction::PageUp => "page up",
            KeyAction::PageDown => "page down",
            KeyAction::Top => "go to the oldest",
            KeyAction::Bottom => "jump to the newest (follow chat)",
            KeyAction::Activate => "use the selected item (send reply, start sale, pin product)",
            KeyAction::StartSale => "start the selected (or next) flash sale",
            KeyAction::ExtendSale => "add 30 s to the running flash sale",
            KeyAction::EndSale => "end the running flash sale now",
            KeyAction::PinProduct => "pin the selected product",
            KeyAction::UnpinProduct => "unpin the product",
        }
    }

    /// Looks an action up by its keymap-file name.
    pub fn from_name(name: &str) -> Option<KeyAction> {
        KeyAction::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// One key with its modifiers, as written in keymap files (`ctrl-s`, `shift-tab`, `G`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyChord {
    /// Normalizes a terminal key event so that it compares equal to a parsed chord:
    /// shift is folded into characters (`G`, `?`), and `BackTab` means shift-tab.
    pub fn from_event(ev: &KeyEvent) -> KeyChord {
        let mut modifiers = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                modifiers.insert(KeyModifiers::SHIFT);
                KeyCode::Tab
            }
            other => other,
        };
        KeyChord { code, modifiers }
    }
}

/// A parsed keymap: for each mode, its bindings in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Keymap {
    pub name: String,
    pub normal: Vec<(KeyChord, KeyAction)>,
    pub help: Vec<(KeyChord, KeyAction)>,
}

impl Keymap {
    /// The bindings of a mode, in file order.
    pub fn bindings(&self, mode: Mode) -> &[(KeyChord, KeyAction)] {
        match mode {
            Mode::Normal => &self.normal,
            Mode::Help => &self.help,
        }
    }

    /// The action bound to a key in a mode, if any.
    pub fn lookup(&self, mode: Mode, ev: &KeyEvent) -> Option<KeyAction> {
        let chord = KeyChord::from_event(ev);
        self.bindings(mode).iter().find(|(k, _)| *k == chord).map(|(_, a)| *a)
    }

    /// The keys bound to an action in a mode, as labels (`ctrl-e`, `?`).
    pub fn keys_for(&self, mode: Mode, action: KeyAction) -> Vec<String> {
        self.bindings(mode).iter().filter(|(_, a)| *a == action).map(|(k, _)| chord_label(k)).collect()
    }
}

/// The label of a chord as it is written in keymap files and shown on screen.
pub fn chord_label(chord: &KeyChord) -> String {
    let mut s = String::new();
    if chord.modifiers.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    if chord.modifiers.contains(KeyModifiers::ALT) {
        s.push_str("alt-");
    }
    if chord.modifiers.contains(KeyModifiers::SHIFT) {
        s.push_str("shift-");
    }
    match chord.code {
        KeyCode::Char(' ') => s.push_str("space"),
        KeyCode::Char(c) => s.push(c),
        KeyCode::F(n) => s.push_str(&format!("f{n}")),
        KeyCode::Enter => s.push_str("enter"),
        KeyCode::Esc => s.push_str("esc"),
        KeyCode::Tab => s.push_str("tab"),
        KeyCode::Backspace => s.push_str("backspace"),
        KeyCode::Up => s.push_str("up"),
        KeyCode::Down => s.push_str("down"),
        KeyCode::Left => s.push_str("left"),
        KeyCode::Right => s.push_str("right"),
        KeyCode::PageUp => s.push_str("pgup"),
        KeyCode::PageDown => s.push_str("pgdn"),
        KeyCode::Home => s.push_str("home"),
        KeyCode::End => s.push_str("end"),
        KeyCode::Insert => s.push_str("insert"),
        KeyCode::Delete => s.push_str("delete"),
        _ => s.push('?'),
    }
    s
}
