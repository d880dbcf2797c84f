//! Keymaps: which key does what, per mode. The help popup and the status-bar hints are
//! generated from the active keymap, so they can never disagree with it.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Source};
use super::library::{Library, load_chain};

/// An input mode; each has its own table in a keymap file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The desk itself.
    Normal,
    /// The help popup is open.
    Help,
    /// The pre-send check holds a reply: these keys send it anyway or drop it, before the
    /// desk's own.
    Held,
}

impl Mode {
    /// The table name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Help => "help",
            Mode::Held => "held",
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
    FocusClaims,
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
    PauseSale,
    StartGiveaway,
    DrawGiveaway,
    NextCue,
    PreviousCue,
    PinProduct,
    UnpinProduct,
    AdjustStock,
    ConfirmClaim,
    RejectClaim,
    ToggleWaitlist,
    CycleView,
    ViewAll,
    ViewQuestions,
    ViewBuyers,
    ViewUnanswered,
    ViewMentions,
    ViewViewer,
    Search,
    MarkHandled,
    Retag,
    SendSuggestion,
    PickReply,
    ToggleStats,
    DeleteMessage,
    MuteViewer,
    PinMessage,
    SendHeld,
    DropHeld,
}

impl KeyAction {
    /// Every action, in the order the help screen lists them.
    pub const ALL: [KeyAction; 49] = [
        KeyAction::Help,
        KeyAction::Quit,
        KeyAction::Close,
        KeyAction::StartSale,
        KeyAction::ExtendSale,
        KeyAction::EndSale,
        KeyAction::PauseSale,
        KeyAction::StartGiveaway,
        KeyAction::DrawGiveaway,
        KeyAction::NextCue,
        KeyAction::PreviousCue,
        KeyAction::PinProduct,
        KeyAction::UnpinProduct,
        KeyAction::AdjustStock,
        KeyAction::ConfirmClaim,
        KeyAction::RejectClaim,
        KeyAction::ToggleWaitlist,
        KeyAction::CycleView,
        KeyAction::ViewAll,
        KeyAction::ViewQuestions,
        KeyAction::ViewBuyers,
        KeyAction::ViewUnanswered,
        KeyAction::ViewMentions,
        KeyAction::ViewViewer,
        KeyAction::Search,
        KeyAction::MarkHandled,
        KeyAction::Retag,
        KeyAction::SendSuggestion,
        KeyAction::PickReply,
        KeyAction::ToggleStats,
        KeyAction::DeleteMessage,
        KeyAction::MuteViewer,
        KeyAction::PinMessage,
        KeyAction::SendHeld,
        KeyAction::DropHeld,
        KeyAction::Activate,
        KeyAction::FocusNext,
        KeyAction::FocusPrev,
        KeyAction::FocusChat,
        KeyAction::FocusSale,
        KeyAction::FocusStock,
        KeyAction::FocusReplies,
        KeyAction::FocusClaims,
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
            KeyAction::FocusClaims => "focus_claims",
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
            KeyAction::PauseSale => "pause_sale",
            KeyAction::StartGiveaway => "start_giveaway",
            KeyAction::DrawGiveaway => "draw_giveaway",
            KeyAction::NextCue => "next_cue",
            KeyAction::PreviousCue => "previous_cue",
            KeyAction::PinProduct => "pin_product",
            KeyAction::UnpinProduct => "unpin_product",
            KeyAction::AdjustStock => "adjust_stock",
            KeyAction::ConfirmClaim => "confirm_claim",
            KeyAction::RejectClaim => "reject_claim",
            KeyAction::ToggleWaitlist => "toggle_waitlist",
            KeyAction::CycleView => "cycle_view",
            KeyAction::ViewAll => "view_all",
            KeyAction::ViewQuestions => "view_questions",
            KeyAction::ViewBuyers => "view_buyers",
            KeyAction::ViewUnanswered => "view_unanswered",
            KeyAction::ViewMentions => "view_mentions",
            KeyAction::ViewViewer => "view_viewer",
            KeyAction::Search => "search",
            KeyAction::MarkHandled => "mark_handled",
            KeyAction::Retag => "retag",
            KeyAction::SendSuggestion => "send_suggestion",
            KeyAction::PickReply => "pick_reply",
            KeyAction::ToggleStats => "toggle_stats",
            KeyAction::DeleteMessage => "delete_message",
            KeyAction::MuteViewer => "mute_viewer",
            KeyAction::PinMessage => "pin_message",
            KeyAction::SendHeld => "send_held",
            KeyAction::DropHeld => "drop_held",
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
            KeyAction::FocusClaims => "focus Claims",
            KeyAction::Up => "move up / scroll back",
            KeyAction::Down => "move down",
            KeyAction::PageUp => "page up",
            KeyAction::PageDown => "page down",
            KeyAction::Top => "go to the oldest",
            KeyAction::Bottom => "jump to the newest (follow chat)",
            KeyAction::Activate => "use the selected item (reply, sale, pin, a viewer's card)",
            KeyAction::StartSale => "start the selected (or next) flash sale",
            KeyAction::ExtendSale => "add 30 s to the selected (or running) flash sale",
            KeyAction::EndSale => "end the selected (or running) flash sale now",
            KeyAction::PauseSale => "pause or resume the selected (or running) flash sale",
            KeyAction::StartGiveaway => "start the next giveaway of giveaways.toml",
            KeyAction::DrawGiveaway => "draw the open giveaway's winners now",
            KeyAction::NextCue => "move the run of show onto its next cue (show.toml)",
            KeyAction::PreviousCue => "move the run of show back one cue",
            KeyAction::PinProduct => "pin the selected product",
            KeyAction::UnpinProduct => "unpin the product",
            KeyAction::AdjustStock => "adjust the selected product's stock, with a reason",
            KeyAction::ConfirmClaim => "confirm the selected claim: sold, the buyer is told",
            KeyAction::RejectClaim => "reject the selected claim: units freed, the buyer is told",
            KeyAction::ToggleWaitlist => "close or open the selected (or selling-out) waitlist",
            KeyAction::CycleView => "next chat view: All, Questions, Buyers, Unanswered…",
            KeyAction::ViewAll => "chat view: every comment (leaves a search or one viewer)",
            KeyAction::ViewQuestions => "chat view: questions",
            KeyAction::ViewBuyers => "chat view: buyers (claims, prices, links)",
            KeyAction::ViewUnanswered => "chat view: questions not yet answered",
            KeyAction::ViewMentions => "chat view: comments naming the shop or host",
            KeyAction::ViewViewer => "chat view: the selected comment's viewer only",
            KeyAction::Search => "search the chat (words, from:, is:, re:)",
            KeyAction::MarkHandled => "mark the selected comment handled (leaves Unanswered)",
            KeyAction::Retag => "fix a tag of the selected comment; comments like it follow",
            KeyAction::SendSuggestion => "send the suggested reply to the selected comment",
            KeyAction::PickReply => "find a canned reply by typing (fuzzy), for the selected comment",
            KeyAction::ToggleStats => "show or hide Stats: viewers, chat and orders a minute",
            KeyAction::DeleteMessage => "delete the selected comment on the platform",
            KeyAction::MuteViewer => "mute the selected comment's viewer (chat.toml mute_seconds)",
            KeyAction::PinMessage => "pin the selected comment on the stream",
            KeyAction::SendHeld => "send the held reply anyway, as it is",
            KeyAction::DropHeld => "drop the held reply: nothing is sent",
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
    pub held: Vec<(KeyChord, KeyAction)>,
}

impl Keymap {
    /// The bindings of a mode, in file order.
    pub fn bindings(&self, mode: Mode) -> &[(KeyChord, KeyAction)] {
        match mode {
            Mode::Normal => &self.normal,
            Mode::Help => &self.help,
            Mode::Held => &self.held,
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

/// The key forms keymap files accept, as error fixes list them.
pub const KEY_FORMS: &str = "a single character (q, G, ?, +), a named key (enter, esc, tab, \
backspace, space, up, down, left, right, pgup, pgdn, home, end, insert, delete, f1 to f12), \
optionally after ctrl-, alt- or shift- (ctrl-e, alt-1, shift-tab)";

impl KeyChord {
    /// Parses a key as written in keymap files, matching what [`KeyChord::from_event`] makes of
    /// the same key press.
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return char_chord(c, KeyModifiers::NONE);
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if rest.chars().count() < 2 {
                break;
            }
            let lower = rest.to_ascii_lowercase();
            let (modifier, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if modifiers.contains(modifier) {
                return Err(format!("`{}` is written twice", &rest[..len]));
            }
            modifiers.insert(modifier);
            rest = &rest[len..];
        }
        if rest.is_empty() {
            return Err("there is no key after the modifier".into());
        }
        let mut chars = rest.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return char_chord(c, modifiers);
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backspace" => KeyCode::Backspace,
            "space" => return char_chord(' ', modifiers),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "insert" | "ins" => KeyCode::Insert,
            "delete" | "del" => KeyCode::Delete,
            name => match name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                Some(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("`{rest}` is not a key name")),
            },
        };
        Ok(KeyChord { code, modifiers })
    }
}

/// A character key: shift is part of the character itself, as terminals report it.
fn char_chord(c: char, modifiers: KeyModifiers) -> Result<KeyChord, String> {
    if c.is_control() {
        return Err("control characters cannot be keys".into());
    }
    if modifiers.contains(KeyModifiers::SHIFT) && c != ' ' {
        return Err(format!(
            "shift- does not go with a character; write the shifted character itself, like `{}`",
            if c.is_lowercase() { c.to_uppercase().to_string() } else { "?".into() }
        ));
    }
    Ok(KeyChord { code: KeyCode::Char(c), modifiers })
}

impl std::str::FromStr for KeyChord {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyChord, String> {
        KeyChord::parse(s)
    }
}

/// Loads a named keymap (the user's file, else the built-in one), following `inherits`.
pub(crate) fn load_keymap(
    lib: &Library,
    name: &str,
    read: &mut Vec<PathBuf>,
) -> Result<Keymap, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut keymap = load_chain(lib, name, read, &mut errors, &mut keymap_layer);
    keymap.name = name.to_string();
    if errors.is_empty() { Ok(keymap) } else { Err(errors) }
}

/// One keymap file's tables, applied on top of the keymap it inherits.
fn keymap_layer(
    mut keymap: Keymap,
    src: &Source,
    doc: &DeTable<'_>,
    top: bool,
    errors: &mut Vec<ConfigError>,
) -> Keymap {
    let mut tables = Vec::new();
    for (key, value) in doc {
        let key_name: &str = key.get_ref();
        match (key_name, value.get_ref()) {
            ("inherits", _) => {}
            ("normal" | "help" | "held", DeValue::Table(table)) => {
                let mode = match key_name {
                    "normal" => Mode::Normal,
                    "help" => Mode::Help,
                    _ => Mode::Held,
                };
                tables.push((mode, table));
            }
            ("normal" | "help" | "held", _) => errors.push(src.error(
                value.span(),
                format!("`{key_name}` must be a table of key = \"action\" lines"),
                format!("write it as [{key_name}] followed by lines like q = \"quit\""),
            )),
            (other, DeValue::Table(_)) => errors.push(src.error(
                key.span(),
                format!("unknown mode table [{other}]"),
                "use [normal], [help] or [held]",
            )),
            (other, _) => errors.push(src.error(
                key.span(),
                format!("unknown field `{other}`"),
                "a keymap has only `inherits` and the tables [normal], [help] and [held]; \
                 put bindings inside one of the tables",
            )),
        }
    }
    for (mode, table) in tables {
        apply_table(src, mode, table, &mut keymap, errors);
    }
    if top && errors.is_empty() {
        require_essentials(src, doc, &keymap, errors);
    }
    keymap
}

/// Adds one mode table's bindings: a key the keymap already binds (inherited) is rebound
/// in place, a new key is appended.
fn apply_table(
    src: &Source,
    mode: Mode,
    table: &DeTable<'_>,
    keymap: &mut Keymap,
    errors: &mut Vec<ConfigError>,
) {
    let mut seen: Vec<(KeyChord, usize)> = Vec::new();
    for (key, value) in table {
        let key_text: &str = key.get_ref();
        let chord = match KeyChord::parse(key_text) {
            Ok(chord) => chord,
            Err(why) => {
                errors.push(src.error(
                    key.span(),
                    format!("`{key_text}` is not a key: {why}"),
                    format!("write {KEY_FORMS}"),
                ));
                continue;
            }
        };
        let Some(action_name) = value.get_ref().as_str() else {
            errors.push(src.error(
                value.span(),
                "the action must be a name in quotes",
                "write it like q = \"quit\"",
            ));
            continue;
        };
        let Some(action) = KeyAction::from_name(action_name) else {
            let names: Vec<&str> = KeyAction::ALL.iter().map(|a| a.name()).collect();
            errors.push(src.error(
                value.span(),
                format!("unknown action `{action_name}`"),
                format!("use one of: {}", names.join(", ")),
            ));
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == chord) {
            errors.push(src.error(
                key.span(),
                format!("`{}` is bound twice in [{}]", chord_label(&chord), mode.name()),
                format!("remove one of the two (the other is on line {})", src.line_of(*first)),
            ));
            continue;
        }
        seen.push((chord, key.span().start));
        let list = match mode {
            Mode::Normal => &mut keymap.normal,
            Mode::Help => &mut keymap.help,
            Mode::Held => &mut keymap.held,
        };
        match list.iter_mut().find(|(c, _)| *c == chord) {
            Some(slot) => slot.1 = action,
            None => list.push((chord, action)),
        }
    }
}

/// A keymap must always offer a way to quit, to get help, to close the help popup, and to
/// send or drop a held reply (else it would block every other reply that trips the check).
fn require_essentials(src: &Source, doc: &DeTable<'_>, keymap: &Keymap, errors: &mut Vec<ConfigError>) {
    let needs = [
        (Mode::Normal, KeyAction::Quit, "q"),
        (Mode::Normal, KeyAction::Help, "\"?\""),
        (Mode::Help, KeyAction::Close, "esc"),
        (Mode::Held, KeyAction::SendHeld, "y"),
        (Mode::Held, KeyAction::DropHeld, "n"),
    ];
    for (mode, action, example) in needs {
        if keymap.bindings(mode).iter().any(|(_, a)| *a == action) {
            continue;
        }
        let span = doc.get(mode.name()).map_or(0..0, |t| t.span());
        errors.push(src.error(
            span,
            format!("no key in [{}] is bound to `{}`", mode.name(), action.name()),
            format!(
                "add a line like {example} = \"{}\" to [{}], or start the file with inherits = \"default\"",
                action.name(),
                mode.name()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::builtin;
    use crate::config::library::Kind;

    fn chord(code: KeyCode, modifiers: KeyModifiers) -> KeyChord {
        KeyChord { code, modifiers }
    }

    fn lib_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keymaps")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("keymaps").join(format!("{name}.toml")), text).unwrap();
        }
        let lib = Library::new(dir.path(), Kind::Keymap);
        (dir, lib)
    }

    fn load(lib: &Library, name: &str) -> Result<Keymap, Vec<ConfigError>> {
        load_keymap(lib, name, &mut Vec::new())
    }

    #[test]
    fn chords_parse() {
        let none = KeyModifiers::NONE;
        let table = [
            ("q", chord(KeyCode::Char('q'), none)),
            ("G", chord(KeyCode::Char('G'), none)),
            ("?", chord(KeyCode::Char('?'), none)),
            ("+", chord(KeyCode::Char('+'), none)),
            ("-", chord(KeyCode::Char('-'), none)),
            ("ctrl-e", chord(KeyCode::Char('e'), KeyModifiers::CONTROL)),
            ("Ctrl-E", chord(KeyCode::Char('E'), KeyModifiers::CONTROL)),
            ("ctrl--", chord(KeyCode::Char('-'), KeyModifiers::CONTROL)),
            ("alt-1", chord(KeyCode::Char('1'), KeyModifiers::ALT)),
            ("ctrl-alt-x", chord(KeyCode::Char('x'), KeyModifiers::CONTROL | KeyModifiers::ALT)),
            ("shift-tab", chord(KeyCode::Tab, KeyModifiers::SHIFT)),
            ("tab", chord(KeyCode::Tab, none)),
            ("enter", chord(KeyCode::Enter, none)),
            ("esc", chord(KeyCode::Esc, none)),
            ("space", chord(KeyCode::Char(' '), none)),
            (" ", chord(KeyCode::Char(' '), none)),
            ("pgup", chord(KeyCode::PageUp, none)),
            ("pgdn", chord(KeyCode::PageDown, none)),
            ("home", chord(KeyCode::Home, none)),
            ("delete", chord(KeyCode::Delete, none)),
            ("f5", chord(KeyCode::F(5), none)),
            ("F12", chord(KeyCode::F(12), none)),
            ("shift-up", chord(KeyCode::Up, KeyModifiers::SHIFT)),
        ];
        for (text, want) in table {
            assert_eq!(KeyChord::parse(text), Ok(want), "{text}");
        }
        for bad in ["", "ctrl-", "f0", "f13", "foo", "ctrl-ctrl-a", "shift-a", "shift-?", "\t", "hyper-a"] {
            assert!(KeyChord::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn parsed_chords_match_key_events_and_labels_round_trip() {
        let cases = [
            ("G", KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            ("?", KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            ("shift-tab", KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            ("shift-tab", KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE)),
            ("ctrl-e", KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL)),
            ("f5", KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)),
        ];
        for (text, ev) in cases {
            let parsed = KeyChord::parse(text).unwrap();
            assert_eq!(parsed, KeyChord::from_event(&ev), "{text}");
            assert_eq!(chord_label(&parsed), text);
        }
    }

    #[test]
    fn both_builtin_keymaps_load_and_bind_the_essentials() {
        let (_dir, lib) = lib_with(&[]);
        for (name, _) in builtin::KEYMAPS {
            let km = load(&lib, name).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(km.name, name);
            assert_eq!(km.keys_for(Mode::Normal, KeyAction::Help), ["?"], "{name}");
            assert_eq!(km.keys_for(Mode::Normal, KeyAction::Quit), ["q"], "{name}");
            assert!(!km.keys_for(Mode::Help, KeyAction::Close).is_empty(), "{name}");
            assert_eq!(km.keys_for(Mode::Held, KeyAction::SendHeld), ["y", "enter"], "{name}");
            assert_eq!(km.keys_for(Mode::Held, KeyAction::DropHeld), ["n", "esc"], "{name}");
            // Digits belong to the canned replies.
            for (k, _) in km.bindings(Mode::Normal) {
                assert!(!matches!(k.code, KeyCode::Char('0'..='9')), "{name}: {k:?}");
            }
            // File order is kept: the status bar shows the first bindings as hints.
            assert_eq!(km.normal[0].1, KeyAction::Help, "{name}");
            assert_eq!(km.normal[1].1, KeyAction::Quit, "{name}");
        }
        let vim = load(&lib, "vim").unwrap();
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(vim.lookup(Mode::Normal, &key('j')), Some(KeyAction::Down));
        assert_eq!(
            vim.lookup(Mode::Normal, &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyAction::Bottom)
        );
        assert_eq!(
            vim.lookup(Mode::Normal, &KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(KeyAction::PageDown)
        );
    }

    #[test]
    fn inherits_rebinds_in_place_and_appends_new_keys() {
        let (_dir, lib) = lib_with(&[(
            "mine",
            "inherits = \"default\"\n[normal]\nq = \"help\"\nz = \"quit\"\n[help]\nx = \"close\"\n",
        )]);
        let km = load(&lib, "mine").unwrap();
        let default = load(&lib, "default").unwrap();
        assert_eq!(km.name, "mine");
        assert_eq!(km.normal.len(), default.normal.len() + 1);
        assert_eq!(km.normal[1], (KeyChord::parse("q").unwrap(), KeyAction::Help));
        assert_eq!(km.normal.last(), Some(&(KeyChord::parse("z").unwrap(), KeyAction::Quit)));
        assert_eq!(km.help.last(), Some(&(KeyChord::parse("x").unwrap(), KeyAction::Close)));
    }

    #[test]
    fn file_errors_are_located() {
        let (dir, lib) = lib_with(&[(
            "bad",
            "inherits = \"default\"\n\
             [normal]\n\
             x = \"jump\"\n\
             \"hyper-x\" = \"quit\"\n\
             f5 = \"help\"\n\
             F5 = \"quit\"\n\
             y = 3\n\
             [visual]\n\
             v = \"quit\"\n",
        )]);
        let errs = load(&lib, "bad").unwrap_err();
        let at: Vec<(usize, usize, &str)> =
            errs.iter().map(|e| (e.line, e.col, e.message.as_str())).collect();
        assert_eq!(
            at,
            [
                (8, 2, "unknown mode table [visual]"),
                (3, 5, "unknown action `jump`"),
                (4, 1, "`hyper-x` is not a key: `hyper-x` is not a key name"),
                (6, 1, "`f5` is bound twice in [normal]"),
                (7, 5, "the action must be a name in quotes"),
            ]
        );
        assert!(errs[1].fix.contains("start_sale"), "{}", errs[1].fix);
        assert!(errs[2].fix.contains("shift-tab"), "{}", errs[2].fix);
        assert!(errs[3].fix.contains("line 5"), "{}", errs[3].fix);
        assert_eq!(errs[0].file, dir.path().join("keymaps/bad.toml"));
    }

    #[test]
    fn loops_unknown_parents_and_missing_essentials_are_errors() {
        let (_dir, lib) = lib_with(&[
            ("a", "inherits = \"b\"\n"),
            ("b", "inherits = \"a\"\n"),
            ("orphan", "inherits = \"nope\"\n"),
            ("bare", "[normal]\nx = \"help\"\n"),
        ]);
        let errs = load(&lib, "a").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("a → b → a"), "{}", errs[0].message);
        let errs = load(&lib, "orphan").unwrap_err();
        assert_eq!((errs[0].line, errs[0].col), (1, 12));
        assert!(errs[0].fix.ends_with("default, orphan, vim"), "{}", errs[0].fix);
        let errs = load(&lib, "bare").unwrap_err();
        let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "no key in [normal] is bound to `quit`",
                "no key in [help] is bound to `close`",
                "no key in [held] is bound to `send_held`",
                "no key in [held] is bound to `drop_held`",
            ]
        );
        assert_eq!((errs[0].line, errs[0].col), (1, 1));
    }
}
