//! The viewer card and the chat's marks for returning customers and VIPs.

use std::sync::Arc;

use super::*;
use crate::desk::viewers::{History, Note, Tally};
use crate::ui::panes::card::{CardField, CardView};
use crate::ui::popup::Popup;

fn enter() -> KeyEvent {
    KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
}

fn esc() -> KeyEvent {
    KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)
}

fn typed(view: &mut ViewState, d: &Desk, text: &str) {
    for c in text.chars() {
        assert_eq!(view.on_key(&key(c), &keymap(), d), Effect::None, "typing {c:?}");
    }
}

/// The busy stream, on a feed where maria bought twice before and is tagged VIP, and jo
/// was seen before without buying.
fn known_desk() -> Desk {
    let mut history = History::default();
    let spent = Tally { orders: 2, spend: [("GBP".to_owned(), "27.97".parse().unwrap())].into() };
    history.add_stream("id-maria", "maria", t(-9 * 86_400), &spent);
    history.add_stream("id-jo", "jo", t(-86_400), &Tally::default());
    let note =
        Note::new("sizes run small; always asks about shipping", &["VIP".into(), "PH".into()], t(-86_400));
    history.set_note("id-maria", note);
    let mut d = Desk::new(DeskSetup { history: Arc::new(history), ..setup() });
    welcome(&mut d);
    let lines =
        [("maria", "hi from Manila!! 💅💅"), ("jo", "love the pink ones"), ("zoe", "first time here")];
    for (i, (name, text)) in lines.iter().enumerate() {
        say(&mut d, 10 + i as u64, name, text, t(10 + i as i64 * 7));
    }
    ask(&mut d, 20, "maria", "do you ship to the Philippines?", t(40));
    let event = Event::Order {
        order_id: "o21".into(),
        user: user("maria", Some("PH")),
        sku: "COFFIN-NUDE".into(),
        qty: 1,
        unit_price: "9.99".parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Paid,
    };
    feed(&mut d, 21, event, t(50));
    say(&mut d, 22, "zoe", "what's the deal today?", t(60));
    d.apply(Input::Tick, t(100));
    d
}

/// Selects maria's question and opens her card.
fn open_marias_card(d: &Desk, view: &mut ViewState) {
    render(d, view, 120, 40);
    while view.selected_message(d).is_none_or(|m| m.msg_id != "m20") {
        act(view, d, KeyAction::Up);
    }
    assert_eq!(act(view, d, KeyAction::Activate), Effect::None);
    assert_eq!(view.card().map(|c| c.user_id.as_str()), Some("id-maria"));
}

#[test]
fn snapshot_viewer_card() {
    let d = known_desk();
    let mut view = ViewState::new();
    open_marias_card(&d, &mut view);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains("★ VIP  ↻ returning customer"), "{s}");
    assert!(s.contains("3 orders · £37.96"), "lifetime: two before and this one\n{s}");
    insta::assert_snapshot!("card_120x40", term.backend());
    insta::assert_snapshot!("card_80x24", render(&d, &mut view, 80, 24).backend());
    // Editing: the note and the tags in their inputs.
    view.on_key(&key('t'), &keymap(), &d);
    insta::assert_snapshot!("card_editing_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn returning_customers_and_vips_are_marked_in_the_chat_without_breaking_80_columns() {
    let d = known_desk();
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    let lines = chat_lines(&s);
    assert!(lines.iter().any(|l| l.contains("[PH] ↻★ maria: hi from Manila")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("[PH] jo: love")), "seen before, never bought: {lines:#?}");
    assert!(lines.iter().any(|l| l.contains("• [PH] ↻★ maria ordered")), "{lines:#?}");
    // Every row of the chat pane ends at its own border: the marks never push it over.
    let chat = view.hits.panes[0].1;
    let buf = term.backend().buffer();
    for y in chat.y + 1..chat.bottom() - 1 {
        assert_eq!(buf[(chat.right() - 1, y)].symbol(), "│", "row {y}\n{s}");
    }
    insta::assert_snapshot!("chat_marks_80x24", term.backend());
}

/// The chat pane's rows as text.
fn chat_lines(screen: &str) -> Vec<String> {
    screen.lines().filter_map(|l| l.split('│').nth(1)).map(|r| r.trim_end().to_owned()).collect()
}

#[test]
fn the_card_edits_the_note_and_the_tags_enter_saves_and_esc_cancels() {
    let mut d = known_desk();
    let mut view = ViewState::new();
    open_marias_card(&d, &mut view);
    // n: the note, filled with what it says now; ctrl-u clears it.
    view.on_key(&key('n'), &keymap(), &d);
    let card = view.card().cloned().unwrap();
    assert_eq!(
        (card.editing, card.note.as_str(), card.tags.as_str()),
        (Some(CardField::Note), "sizes run small; always asks about shipping", "VIP, PH")
    );
    view.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL), &keymap(), &d);
    typed(&mut view, &d, "likes almond 2");
    // A reply key is text here, never a reply.
    assert_eq!(view.card().unwrap().note, "likes almond 2");
    // esc cancels the edit and keeps the card.
    assert_eq!(view.on_key(&esc(), &keymap(), &d), Effect::None);
    assert_eq!(view.card().unwrap().editing, None);
    assert_eq!(d.viewers().note("id-maria").unwrap().text, "sizes run small; always asks about shipping");

    // t: the tags, a comma list; tab goes to the note; enter saves both as one action.
    view.on_key(&key('t'), &keymap(), &d);
    typed(&mut view, &d, ", regular");
    view.on_key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE), &keymap(), &d);
    view.on_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE), &keymap(), &d);
    let effect = view.on_key(&enter(), &keymap(), &d);
    let expected = Action::NoteViewer {
        user_id: "id-maria".into(),
        note: "sizes run small; always asks about shippin".into(),
        tags: vec!["VIP".into(), "PH".into(), "regular".into()],
    };
    assert_eq!(effect, Effect::Desk(expected.clone()));
    d.apply(Input::Operator(expected), t(110));
    assert_eq!(view.card().unwrap().editing, None, "saved: the card stays open");
    let term = render(&d, &mut view, 120, 40);
    assert!(screen(&term).contains("VIP, PH, regular"));

    // Enter with nothing changed sends nothing.
    view.on_key(&enter(), &keymap(), &d);
    assert_eq!(view.on_key(&enter(), &keymap(), &d), Effect::None);

    // v: VIP off, then on again, the note kept.
    let Effect::Desk(off) = view.on_key(&key('v'), &keymap(), &d) else { panic!("v saves") };
    d.apply(Input::Operator(off), t(120));
    assert!(!d.viewers().vip("id-maria"));
    assert_eq!(d.viewers().note("id-maria").unwrap().tags, ["PH", "regular"]);
    let Effect::Desk(on) = view.on_key(&key('v'), &keymap(), &d) else { panic!("v saves") };
    d.apply(Input::Operator(on), t(130));
    assert_eq!(d.viewers().note("id-maria").unwrap().tags, ["VIP", "PH", "regular"]);

    // The mouse and the reply keys do nothing while it is open; esc closes it.
    assert_eq!(view.on_key(&key('1'), &keymap(), &d), Effect::None);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 1,
        row: 1,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(view.on_mouse(&click, &d), Effect::None);
    assert!(view.card().is_some());
    view.on_key(&esc(), &keymap(), &d);
    assert!(view.card().is_none());
    // Now the keys are the desk's again.
    assert!(matches!(view.on_key(&key('1'), &keymap(), &d), Effect::Desk(Action::Answer { .. })));
}

#[test]
fn the_shop_itself_has_no_card_and_a_new_viewer_has_one() {
    let mut d = busy_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 120, 40);
    // The host's message: no card.
    while view.selected_message(&d).is_none_or(|m| m.user_name != "NailsByNia") {
        act(&mut view, &d, KeyAction::Up);
    }
    act(&mut view, &d, KeyAction::Activate);
    assert!(view.card().is_none());
    act(&mut view, &d, KeyAction::Up);
    let who = view.selected_message(&d).unwrap().user_id.clone();
    act(&mut view, &d, KeyAction::Activate);
    assert_eq!(view.card().map(|c| c.user_id.clone()), Some(who.clone()));
    let s = screen(&render(&d, &mut view, 80, 24));
    assert!(s.contains("none (n to write one)") && s.contains("(their first stream)"), "{s}");
    // A note written from the card for someone never noted before.
    view.on_key(&key('n'), &keymap(), &d);
    typed(&mut view, &d, "nice");
    let Effect::Desk(a) = view.on_key(&enter(), &keymap(), &d) else { panic!("enter saves") };
    d.apply(Input::Operator(a), t(200));
    assert_eq!(d.viewers().note(&who).unwrap().text, "nice");
    assert_eq!(CardView::open(&d, ""), None);
}

#[test]
fn the_help_popup_lists_the_card_keys() {
    let d = desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Help);
    let mut all = String::new();
    for _ in 0..10 {
        all.push_str(&screen(&render(&d, &mut view, 120, 40)));
        act(&mut view, &d, KeyAction::PageDown);
    }
    assert!(all.contains("In a viewer card"), "{all}");
    assert!(all.contains("tag or untag them VIP"), "{all}");
}

#[test]
fn invisible_characters_leave_no_trace_in_the_card_or_the_help_popup() {
    // The card and the help popup over the chat, for a viewer whose name and comment are
    // as decoded from the feed (sanitized): their screens must be cell for cell the same as
    // those of a viewer who wrote only the visible characters.
    let screens = |name: &str, text: &str| {
        let mut d = desk();
        welcome(&mut d);
        let user = User { name: name.into(), ..user("maria", Some("PH")) };
        let mut event = Event::Chat { msg_id: "m10".into(), user, text: text.into(), reply_to: None };
        event.sanitize();
        feed(&mut d, 10, event, t(10));
        d.apply(Input::Tick, t(20));
        let mut view = ViewState::new();
        render(&d, &mut view, 80, 24);
        view.popup = CardView::open(&d, "id-maria").map(Popup::Card);
        let card = render(&d, &mut view, 80, 24).backend().buffer().clone();
        view.popup = None;
        act(&mut view, &d, KeyAction::Help);
        let help = render(&d, &mut view, 80, 24).backend().buffer().clone();
        (card, help)
    };
    let plain = screens(
        "maria 👩\u{200d}👩\u{200d}👧",
        "love it 💅 so pretty 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
    );
    let hostile = screens(
        "m\u{fff9}ar\u{fffa}ia\u{fffb}\u{200b} 👩\u{200d}👩\u{200d}👧\u{200d}",
        "love\u{2028}\u{2028}it\u{200d} 💅\u{e0041} so\u{2060} pretty\u{feff} 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}\u{2029}",
    );
    assert_eq!(hostile.0, plain.0, "the card");
    assert_eq!(hostile.1, plain.1, "the help popup");
    // And the raw characters drawn straight (not through the sanitizer) leave no cell either.
    let mut d = desk();
    welcome(&mut d);
    say(&mut d, 10, "zoe", "a\u{fff9}b\u{fffa}c\u{fffb}d\u{2028}e", t(10));
    let term = render(&d, &mut ViewState::new(), 80, 24);
    assert!(screen(&term).contains("abcde"), "{}", screen(&term));
}
