//! The held-reply line: a reply the pre-send check holds, its reasons and its keys.

use super::*;

/// The busy stream with a reply on key 8 that writes its price into the text, sent to jo
/// while Almond is pinned: the check holds it.
fn held_desk() -> Desk {
    let mut d = busy_desk();
    let mut replies = shop().replies.replies;
    replies.push(ReplySpec {
        key: Some("8".into()),
        ..ReplySpec::new("Deal", "@{user} {product} is only £3.50!")
    });
    d.apply(Input::Replies(replies), t(100));
    d.apply(Input::Operator(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(100));
    d.apply(Input::Operator(Action::SendReply { key: "8".into(), to: Some("m11".into()) }), t(101));
    assert!(d.held().is_some(), "{:?}", d.notices().last());
    d
}

#[test]
fn snapshot_a_held_reply_shows_its_text_reasons_and_keys() {
    let d = held_desk();
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    let text = screen(&term);
    assert!(text.contains("HELD"), "{text}");
    assert!(text.contains("y/enter send anyway"), "{text}");
    assert!(text.contains("⚠ reply held"), "the status bar says a reply waits: {text}");
    assert!(!text.contains("y confirm"), "no pane hints a key the held line takes first: {text}");
    insta::assert_snapshot!("held_reply_120x40", term.backend());
    insta::assert_snapshot!("held_reply_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn while_a_reply_is_held_its_keys_send_or_drop_it_before_the_desks_own() {
    let d = held_desk();
    let km = keymap();
    let mut view = ViewState::new();
    assert_eq!(view.on_key(&key('y'), &km, &d), Effect::Desk(Action::SendHeld {}));
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(view.on_key(&enter, &km, &d), Effect::Desk(Action::SendHeld {}));
    assert_eq!(view.on_key(&key('n'), &km, &d), Effect::Desk(Action::DropHeld {}));
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(view.on_key(&esc, &km, &d), Effect::Desk(Action::DropHeld {}));
    // With nothing held the same keys are the desk's again.
    let calm = busy_desk();
    assert_ne!(view.on_key(&key('y'), &km, &calm), Effect::Desk(Action::SendHeld {}));
    assert_eq!(view.on_action(KeyAction::SendHeld, &calm), Effect::None);
}

#[test]
fn the_help_lists_the_held_reply_keys() {
    let d = held_desk();
    let mut view = ViewState::new();
    view.on_action(KeyAction::Help, &d);
    let mut text = String::new();
    for _ in 0..8 {
        text += &screen(&render(&d, &mut view, 120, 40));
        view.on_action(KeyAction::PageDown, &d);
    }
    assert!(text.contains("On the held-reply line"), "{text}");
    assert!(text.contains("send the held reply anyway"), "{text}");
}
