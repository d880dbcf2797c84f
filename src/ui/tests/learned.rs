//! The shop's own past answers on the suggestion line, and the re-tag line.

use super::*;
use crate::desk::learned::{Example, Memory};

/// The demo desk, knowing that the shop answered "are these cruelty free" 14 times, and a
/// viewer asking it again.
fn taught_desk() -> Desk {
    let answered = |n: u64| Example {
        n,
        text: if n.is_multiple_of(2) {
            "are these cruelty free".into()
        } else {
            "are these cruelty free hun".into()
        },
        lang: None,
        tags: vec!["question".into()],
        fixed: vec![],
        reply: Some("glue-safe".into()),
    };
    let mut d = demo_knowledge_desk().with_memory(Memory::of((1..=14).map(answered)));
    let text = "Are these cruelty-free hun? 🐰".into();
    let event = Event::Chat { msg_id: "m20".into(), user: user("kat", Some("GB")), text, reply_to: None };
    feed(&mut d, 20, event, t(45));
    d
}

#[test]
fn snapshot_the_suggestion_line_says_how_often_the_shop_gave_that_answer() {
    let d = taught_desk();
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("▸ t Is the glue safe? · as you answered 14 times · @kat"), "{s}");
    insta::assert_snapshot!("chat_learned_suggestion_120x40", render(&d, &mut view, 120, 40).backend());
    insta::assert_snapshot!("chat_learned_suggestion_80x24", render(&d, &mut view, 80, 24).backend());
    assert_eq!(
        act(&mut view, &d, KeyAction::SendSuggestion),
        Effect::Desk(Action::Answer { reply: "glue-safe".into(), to: Some("m20".into()) })
    );
    // One up, a comment nothing like it: the knowledge base's own suggestion, no count.
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::Up);
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("▸ t Price and stock · @luz"), "{s}");
    assert!(!s.contains("as you answered"), "{s}");
}

#[test]
fn snapshot_the_retag_line_toggles_a_tag_of_the_selected_comment() {
    let d = taught_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Up);
    let target = view.selected_message(&d).unwrap().msg_id.clone();
    assert_eq!(view.on_key(&key('T'), &keymap(), &d), Effect::None);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" tag q ✓question b buyer s ✓shipping c complaint p spam n ✓can't ship"), "{s}");
    assert!(s.contains("T re-tag"), "the Chat title says the key while a comment is selected: {s}");
    insta::assert_snapshot!("chat_retag_line_120x40", term.backend());
    assert_eq!(view.on_key(&key('z'), &keymap(), &d), Effect::None, "not a tag's key: stays open");
    assert!(view.retag().is_some());
    assert_eq!(
        view.on_key(&key('c'), &keymap(), &d),
        Effect::Desk(Action::Retag { msg_id: target, tag: "complaint".into() })
    );
    assert!(view.retag().is_none(), "closed once a tag is chosen");
    view.on_key(&key('T'), &keymap(), &d);
    view.on_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &keymap(), &d);
    assert!(view.retag().is_none());
    assert!(!screen(&render(&d, &mut view, 120, 40)).contains("✓question"));
}
