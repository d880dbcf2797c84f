//! Replies sent, suggested, and comments marked handled.

use super::*;

#[test]
fn a_canned_reply_is_filled_for_the_selected_message() {
    let mut d = desk();
    d.apply(chat(1, "maria", "do you ship to Manila?"), t(0));
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(1));
    // The answer is an example for the store, too.
    let (learned, out): (Vec<_>, Vec<_>) = out.into_iter().partition(|o| matches!(o, Output::Learned(_)));
    assert_eq!(learned.len(), 1);
    assert_eq!(
        out,
        vec![Output::Send(Command::SendChat {
            reference: "t-1".into(),
            text: "Hi @maria! We only ship to the UK for now, sorry!".into(),
            reply_to: Some("m1".into()),
        })]
    );
    assert_eq!(d.pending().len(), 1);
    d.apply(frame(2, Event::Ack { reference: "t-1".into(), ok: true, error: None }), t(2));
    assert!(d.pending().is_empty());
    assert_eq!((d.counters().commands_sent, d.counters().commands_acked), (1, 1));
}

#[test]
fn an_unknown_reply_key_sends_nothing_and_says_so() {
    let mut d = desk();
    assert!(d.apply(Input::Operator(Action::SendReply { key: "9".into(), to: None }), t(0)).is_empty());
    assert!(d.notices().last().unwrap().text.contains("No canned reply on key 9"));
}

#[test]
fn on_a_read_only_platform_a_reply_key_copies_the_reply_and_nothing_is_sent() {
    let mut d = desk();
    let caps = Capabilities { send_chat: false, ..Capabilities::default() };
    d.apply(Input::Link(LinkEvent::Platform { name: "tiktok".into(), caps }), t(0));
    d.apply(chat(1, "maria", "do you ship to Manila?"), t(1));
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    let out: Vec<_> = out.into_iter().filter(|o| !matches!(o, Output::Learned(_))).collect();
    assert_eq!(out, [Output::Clipboard("Hi @maria! We only ship to the UK for now, sorry!".into())]);
    assert_eq!(last_notice(&d), "Copied reply “Shipping” to @maria to the clipboard: paste it in the chat");
    assert!(d.pending().is_empty());
    // What the desk would say by itself is not sent either, and it says so.
    let out = d.apply(start_sale("almond-rush"), t(3));
    assert!(sent_texts(&out).is_empty());
    assert!(d.notices().any(|n| n.text.starts_with("Not sent (the platform is read-only here)")));
}

#[test]
fn a_reply_about_the_sale_with_no_sale_running_is_not_sent() {
    let mut d = desk();
    d.apply(chat(1, "maria", "is the sale on?"), t(0));
    let out = d.apply(Input::Operator(Action::SendReply { key: "2".into(), to: Some("m1".into()) }), t(1));
    assert!(out.is_empty());
    let notice = &d.notices().last().unwrap().text;
    assert!(notice.contains("Not sent") && notice.contains("{time_left}"), "{notice}");
    assert_eq!(d.counters().commands_sent, 0);
}

#[test]
fn a_question_leaves_unanswered_when_replied_to_echoed_or_marked_handled() {
    let mut d = desk();
    d.apply(chat(1, "Ann", "do you ship to Cebu?"), t(10));
    d.apply(chat(2, "Bo", "how much is it?"), t(20));
    d.apply(chat(3, "Cy", "is there a size guide?"), t(30));
    d.apply(chat(4, "Di", "love it"), t(35));
    assert_eq!(d.chat().unanswered_count(), 3);
    assert_eq!(d.chat().oldest_unanswered().unwrap().msg_id, "m1");
    assert_eq!(clock(d.now() - d.chat().oldest_unanswered().unwrap().at), "0:25");

    // A canned reply to it.
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(40));
    assert_eq!(sent_replies(&out).len(), 1);
    assert!(d.chat().by_msg_id("m1").unwrap().answered);
    assert_eq!(d.chat().oldest_unanswered().unwrap().msg_id, "m2");

    // The operator answered in the platform's own chat: the echo carries reply_to.
    let shop = User { badges: vec!["host".into()], ..user("Nia") };
    let echo =
        Event::Chat { msg_id: "e1".into(), user: shop, text: "£8.99!".into(), reply_to: Some("m2".into()) };
    d.apply(frame(5, echo), t(50));
    assert_eq!(d.chat().unanswered_count(), 1);

    // Marked handled by hand.
    d.apply(op(Action::MarkHandled { msg_id: "m3".into() }), t(60));
    assert_eq!(d.chat().unanswered_count(), 0);
    assert!(d.chat().oldest_unanswered().is_none());
    assert!(last_notice(&d).contains("handled"), "{}", last_notice(&d));
    d.apply(op(Action::MarkHandled { msg_id: "gone".into() }), t(61));
    assert!(last_notice(&d).contains("no longer in the chat"));
}

#[test]
fn marking_handled_replays_to_the_same_state() {
    let inputs = vec![
        (chat(1, "Ann", "price?"), t(1)),
        (op(Action::MarkHandled { msg_id: "m1".into() }), t(2)),
        (chat(2, "Bo", "price?"), t(3)),
    ];
    let (mut a, mut b) = (desk(), desk());
    for (input, at) in &inputs {
        a.apply(input.clone(), *at);
        let json = serde_json::to_string(input).unwrap();
        b.apply(serde_json::from_str(&json).unwrap(), *at);
    }
    assert_eq!(a, b);
    assert_eq!(a.chat().unanswered_count(), 1);
}
