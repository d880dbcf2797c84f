//! The desk's moderation: the operator's delete, mute and pin actions, what the platform's
//! answers make of them, and blocked words.

use super::*;
use crate::config::model::{Catalog as CatalogFile, ChatConfig, ClaimsConfig, Replies, SalesPlan};
use crate::protocol::{Gift, ModAction};

fn shop(chat: ChatConfig) -> ShopConfig {
    let catalog = toml::from_str::<CatalogFile>(crate::config::builtin::CATALOG).expect("the demo catalog");
    ShopConfig {
        catalog,
        sales: SalesPlan::default(),
        giveaways: Default::default(),
        show: Default::default(),
        replies: Replies::default(),
        claims: ClaimsConfig::default(),
        chat,
        shipping: Default::default(),
        quiet: Default::default(),
    }
}

fn desk_with(chat: ChatConfig) -> Desk {
    desk_of(shop(chat))
}

fn desk_of(shop: ShopConfig) -> Desk {
    Desk::new(DeskSetup {
        shop,
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    })
}

fn desk() -> Desk {
    desk_with(ChatConfig::default())
}

fn blocking(words: &[&str], delete_on_platform: bool) -> Desk {
    let mut chat = ChatConfig::default();
    chat.blocked.words = words.iter().map(|w| w.to_string()).collect();
    chat.blocked.delete_on_platform = delete_on_platform;
    desk_with(chat)
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn user(name: &str) -> User {
    User { id: format!("id-{name}"), name: name.into(), region: None, badges: vec![], follower: false }
}

fn frame(seq: u64, event: Event) -> Input {
    Input::Feed(Frame { v: 1, seq, ts: String::new(), event })
}

fn chat(seq: u64, name: &str, text: &str) -> Input {
    frame(seq, Event::Chat { msg_id: format!("m{seq}"), user: user(name), text: text.into(), reply_to: None })
}

fn ack(seq: u64, reference: &str, ok: bool) -> Input {
    let error = (!ok).then(|| "not allowed".to_owned());
    frame(seq, Event::Ack { reference: reference.into(), ok, error })
}

fn op(action: Action) -> Input {
    Input::Operator(action)
}

fn sent(out: &[Output]) -> Vec<&Command> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn last_notice(d: &Desk) -> String {
    d.notices().last().map(|n| n.text.clone()).unwrap_or_default()
}

fn read_only(d: &mut Desk) {
    let caps = Capabilities { send_chat: false, delete: false, mute: false, pin: false, ..Capabilities::ALL };
    d.apply(Input::Link(LinkEvent::Platform { name: "TikTok".into(), caps }), t(0));
}

#[test]
fn delete_sends_delete_chat_and_strikes_the_comment_once_the_platform_acks() {
    let mut d = desk();
    d.apply(chat(1, "troll", "this shop is rubbish"), t(1));
    let out = d.apply(op(Action::DeleteMessage { msg_id: "m1".into() }), t(2));
    let cmds = sent(&out);
    assert_eq!(cmds, [&Command::DeleteChat { reference: "t-1".into(), msg_id: "m1".into() }]);
    assert_eq!(last_notice(&d), "Asked the platform to delete @troll's comment");
    assert!(!d.chat().by_msg_id("m1").unwrap().deleted, "not deleted on the operator's word alone");
    d.apply(ack(2, "t-1", true), t(3));
    assert!(d.chat().by_msg_id("m1").unwrap().deleted);
    assert!(d.pending().is_empty());
    // Again: already gone, nothing sent.
    let out = d.apply(op(Action::DeleteMessage { msg_id: "m1".into() }), t(4));
    assert!(sent(&out).is_empty());
    assert_eq!(last_notice(&d), "@troll's comment is already deleted");
}

#[test]
fn a_refused_delete_leaves_the_comment_and_says_why() {
    let mut d = desk();
    d.apply(chat(1, "ann", "hello"), t(1));
    d.apply(op(Action::DeleteMessage { msg_id: "m1".into() }), t(2));
    d.apply(ack(2, "t-1", false), t(3));
    assert!(!d.chat().by_msg_id("m1").unwrap().deleted);
    assert_eq!(last_notice(&d), "The platform refused delete @ann's comment: not allowed");
}

#[test]
fn a_platform_that_cannot_moderate_sends_nothing_and_says_why() {
    let mut d = desk();
    read_only(&mut d);
    d.apply(chat(1, "ann", "hello"), t(1));
    let out = d.apply(op(Action::DeleteMessage { msg_id: "m1".into() }), t(2));
    assert!(sent(&out).is_empty());
    let said = last_notice(&d);
    assert!(said.starts_with("Not deleted: this platform does not let livedesk delete comments"), "{said}");
    assert!(!d.chat().by_msg_id("m1").unwrap().deleted);

    let mute = Action::MuteViewer { user_id: "id-ann".into(), name: Some("ann".into()), seconds: None };
    let out = d.apply(op(mute), t(3));
    assert!(sent(&out).is_empty());
    let said = last_notice(&d);
    assert!(said.contains("dimmed here for 10 min, but not muted"), "{said}");
    assert!(d.moderation().muted_at("id-ann", t(4)), "the desk keeps its side: the dimming");

    let out = d.apply(op(Action::PinMessage { msg_id: "m1".into() }), t(5));
    assert!(sent(&out).is_empty());
    assert!(last_notice(&d).contains("pinned here only"), "{}", last_notice(&d));
    assert_eq!(d.moderation().pinned().unwrap().msg_id, "m1");
}

#[test]
fn mute_sends_mute_user_for_the_shops_time_and_dims_until_it_ends_in_desk_time() {
    let chat_config = ChatConfig { mute_seconds: 120, ..ChatConfig::default() };
    let mut d = desk_with(chat_config);
    d.apply(chat(1, "loud", "BUY MY STUFF"), t(1));
    let mute = Action::MuteViewer { user_id: "id-loud".into(), name: Some("loud".into()), seconds: None };
    let out = d.apply(op(mute), t(10));
    assert_eq!(
        sent(&out),
        [&Command::MuteUser { reference: "t-1".into(), user_id: "id-loud".into(), seconds: 120 }]
    );
    assert_eq!(last_notice(&d), "Muted @loud for 2 min: their comments are dimmed until then");
    assert!(!d.moderation().muted_at("id-loud", t(1)), "what was said before the mute stays");
    d.apply(chat(2, "loud", "still here"), t(60));
    assert!(d.moderation().muted_at("id-loud", d.chat().by_msg_id("m2").unwrap().at));
    d.apply(chat(3, "loud", "back"), t(130));
    assert!(!d.moderation().muted_at("id-loud", d.chat().by_msg_id("m3").unwrap().at), "the mute ended");
    // A time of its own, as a script gives it.
    let out =
        d.apply(op(Action::MuteViewer { user_id: "id-x".into(), name: None, seconds: Some(30) }), t(140));
    assert!(matches!(sent(&out)[0], Command::MuteUser { seconds: 30, .. }));
    assert_eq!(last_notice(&d), "Muted @id-x for 30 s: their comments are dimmed until then");
}

#[test]
fn a_refused_mute_or_pin_is_taken_back() {
    let mut d = desk();
    d.apply(chat(1, "ann", "first"), t(1));
    d.apply(chat(2, "bob", "second"), t(1));
    d.apply(op(Action::PinMessage { msg_id: "m1".into() }), t(2));
    d.apply(ack(3, "t-1", true), t(2));
    d.apply(op(Action::PinMessage { msg_id: "m2".into() }), t(3));
    assert_eq!(d.moderation().pinned().unwrap().msg_id, "m2");
    d.apply(ack(4, "t-2", false), t(4));
    assert_eq!(d.moderation().pinned().unwrap().msg_id, "m1", "back to the pin the platform has");

    d.apply(op(Action::MuteViewer { user_id: "id-bob".into(), name: None, seconds: Some(60) }), t(5));
    assert!(d.moderation().muted_at("id-bob", t(6)));
    d.apply(ack(5, "t-3", false), t(6));
    assert!(!d.moderation().muted_at("id-bob", t(7)));
}

#[test]
fn pin_sends_pin_chat_and_keeps_the_comment_after_the_log_lets_it_go() {
    let mut d = Desk::new(DeskSetup {
        shop: shop(ChatConfig::default()),
        scrollback: 2,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    });
    d.apply(chat(1, "ann", "use code NAILS10 at checkout"), t(1));
    let out = d.apply(op(Action::PinMessage { msg_id: "m1".into() }), t(2));
    assert_eq!(sent(&out), [&Command::PinChat { reference: "t-1".into(), msg_id: "m1".into() }]);
    assert_eq!(last_notice(&d), "Pinned @ann's comment");
    d.apply(chat(2, "b", "x"), t(3));
    d.apply(chat(3, "c", "y"), t(4));
    assert!(d.chat().by_msg_id("m1").is_none());
    let pinned = d.moderation().pinned().unwrap();
    assert_eq!((pinned.user_name.as_str(), pinned.text.as_str()), ("ann", "use code NAILS10 at checkout"));
    // A comment gone from the log cannot be pinned.
    let out = d.apply(op(Action::PinMessage { msg_id: "m1".into() }), t(5));
    assert!(sent(&out).is_empty());
    assert_eq!(last_notice(&d), "Cannot pin m1: it is no longer in the chat");
}

#[test]
fn blocked_words_hide_comments_from_the_desk_and_count_them() {
    let mut d = blocking(&["scam", "fake shop"], false);
    d.apply(chat(1, "ann", "love these"), t(1));
    let out = d.apply(chat(2, "troll", "SCAM!! don't buy"), t(2));
    assert!(sent(&out).is_empty(), "hidden here only");
    d.apply(
        frame(3, Event::Question { msg_id: "m3".into(), user: user("troll"), text: "fake shop?".into() }),
        t(3),
    );
    d.apply(chat(4, "bea", "scampi tonight"), t(4));
    assert_eq!(d.moderation().hidden(), 2);
    let texts: Vec<&str> = d.chat().messages().iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["love these", "scampi tonight"]);
    assert_eq!(d.chat().unanswered_count(), 0, "a hidden question waits for nobody");
    // The shop's own words are never hidden.
    let mut shop_user = user("Nail Nook");
    shop_user.badges = vec!["host".into()];
    let event =
        Event::Chat { msg_id: "op-1".into(), user: shop_user, text: "no scam here".into(), reply_to: None };
    d.apply(frame(5, event), t(5));
    assert!(d.chat().by_msg_id("op-1").is_some());
}

#[test]
fn a_blocked_comment_claims_nothing() {
    let claims_with = |words: &[&str]| {
        let mut d = blocking(words, false);
        d.apply(op(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(0));
        d.apply(chat(1, "troll", "mine!"), t(1));
        d.claims().open().count()
    };
    assert_eq!(claims_with(&[]), 1, "a bare \"mine\" claims the pinned product");
    assert_eq!(claims_with(&["mine"]), 0);
}

#[test]
fn with_delete_on_platform_blocked_comments_are_deleted_there_too() {
    let mut d = blocking(&["scam"], true);
    let out = d.apply(chat(1, "troll", "total scam"), t(1));
    assert_eq!(sent(&out), [&Command::DeleteChat { reference: "t-1".into(), msg_id: "m1".into() }]);
    assert_eq!(d.moderation().hidden(), 1);
    // Where the platform cannot delete, the operator is told once.
    let mut d = blocking(&["scam"], true);
    read_only(&mut d);
    let before = d.notices().count();
    for seq in 1..=3 {
        let out = d.apply(chat(seq, "troll", "scam"), t(seq as i64));
        assert!(sent(&out).is_empty());
    }
    assert_eq!(d.notices().count(), before + 1);
    assert!(
        last_notice(&d).starts_with("Comments with blocked words are hidden here only"),
        "{}",
        last_notice(&d)
    );
    assert_eq!(d.moderation().hidden(), 3);
}

#[test]
fn the_platform_deleting_the_pinned_comment_is_seen_on_the_log() {
    let mut d = desk();
    d.apply(chat(1, "ann", "pin me"), t(1));
    d.apply(op(Action::PinMessage { msg_id: "m1".into() }), t(2));
    let event =
        Event::Moderation { action: ModAction::Deleted, msg_id: Some("m1".into()), user_id: None, by: None };
    d.apply(frame(2, event), t(3));
    assert!(d.chat().by_msg_id("m1").unwrap().deleted, "the Chat pane leaves a deleted pin out");
}

#[test]
fn moderation_replays_to_the_same_state() {
    let inputs = [
        (chat(1, "ann", "hi"), t(1)),
        (op(Action::PinMessage { msg_id: "m1".into() }), t(2)),
        (op(Action::MuteViewer { user_id: "id-ann".into(), name: Some("ann".into()), seconds: None }), t(3)),
        (op(Action::DeleteMessage { msg_id: "m1".into() }), t(4)),
        (ack(2, "t-3", true), t(5)),
        (chat(3, "troll", "scam"), t(6)),
    ];
    let run = || {
        let mut d = blocking(&["scam"], true);
        let outs: Vec<Output> = inputs.iter().flat_map(|(i, at)| d.apply(i.clone(), *at)).collect();
        (d, outs)
    };
    let (a, out_a) = run();
    let (b, out_b) = run();
    assert_eq!(a, b);
    assert_eq!(out_a, out_b);
    assert!(a.chat().by_msg_id("m1").unwrap().deleted);
}

#[test]
fn after_the_stream_ends_moderation_sends_nothing() {
    let mut d = desk();
    d.apply(chat(1, "ann", "hi"), t(1));
    d.apply(Input::Link(LinkEvent::StreamEnded), t(2));
    let out = d.apply(op(Action::DeleteMessage { msg_id: "m1".into() }), t(3));
    assert!(sent(&out).is_empty());
    assert_eq!(last_notice(&d), "The stream has ended: nothing was sent");
}

#[test]
fn the_platforms_word_of_a_mute_names_the_viewer_and_is_not_said_twice() {
    let mut d = desk();
    d.apply(chat(1, "ann", "hi"), t(1));
    d.apply(chat(2, "bob", "hey"), t(1));
    d.apply(
        op(Action::MuteViewer { user_id: "id-ann".into(), name: Some("ann".into()), seconds: None }),
        t(2),
    );
    let muted = |user: &str| {
        frame(
            3,
            Event::Moderation {
                action: ModAction::Muted,
                msg_id: None,
                user_id: Some(user.into()),
                by: Some("mod".into()),
            },
        )
    };
    d.apply(muted("id-ann"), t(3));
    assert_eq!(last_notice(&d), "Muted @ann for 10 min: their comments are dimmed until then");
    d.apply(muted("id-bob"), t(4));
    assert_eq!(last_notice(&d), "@bob was muted by mod");
    d.apply(muted("id-nobody"), t(5));
    assert_eq!(last_notice(&d), "id-nobody was muted by mod");
}

fn removed(seq: u64, action: ModAction, user: &str) -> Input {
    frame(seq, Event::Moderation { action, msg_id: None, user_id: Some(user.into()), by: Some("mod".into()) })
}

fn almond_pink(seq: u64, available: u32) -> Input {
    frame(seq, Event::Stock { sku: "ALMOND-PINK".into(), available })
}

/// (viewer, units, state) of every open claim, oldest first.
fn open_claims(d: &Desk) -> Vec<(String, u32, &'static str)> {
    d.claims().open().map(|c| (c.user_name.clone(), c.qty, c.state.label())).collect()
}

#[test]
fn a_viewer_timed_out_or_banned_on_the_platform_leaves_the_chat() {
    for action in [ModAction::Muted, ModAction::Banned] {
        let mut d = desk();
        d.apply(chat(1, "ann", "hi"), t(1));
        d.apply(chat(2, "bob", "hey"), t(1));
        d.apply(chat(3, "ann", "spam spam"), t(2));
        let gift = Gift { name: "Bits".into(), value: 100.into(), currency: "BITS".into() };
        d.apply(frame(4, Event::Gift { user: user("ann"), gift, repeat: 1 }), t(2));
        d.apply(removed(5, action, "id-ann"), t(3));
        let deleted: Vec<(&str, bool)> =
            d.chat().messages().iter().map(|m| (m.text.as_str(), m.deleted)).collect();
        let want = [("hi", true), ("hey", false), ("spam spam", true), ("sent 1× Bits", false)];
        assert_eq!(deleted, want, "{action:?}: their gift happened all the same");
        assert_eq!(d.summary().deleted_messages, 2, "{action:?}");
    }
}

#[test]
fn a_removed_viewers_claims_release_their_units_to_the_next_in_line() {
    for action in [ModAction::Muted, ModAction::Banned] {
        let mut shop = shop(ChatConfig::default());
        shop.replies = toml::from_str(crate::config::builtin::REPLIES).expect("the demo replies");
        let mut d = desk_of(shop);
        d.apply(almond_pink(1, 1), t(0));
        d.apply(chat(2, "ann", "sold almond pink"), t(1));
        d.apply(chat(3, "bea", "sold almond pink"), t(2));
        assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 1, "waiting")]);
        let out = d.apply(removed(4, action, "id-ann"), t(3));
        assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held")], "{action:?}");
        // Bea hears her turn came; Ann, removed, is sent nothing.
        let replies: Vec<&Command> = sent(&out);
        assert_eq!(replies.len(), 1, "{action:?}: {replies:?}");
        assert!(
            matches!(replies[0], Command::SendChat { reply_to: Some(to), .. } if to == "m3"),
            "{replies:?}"
        );
        assert!(d.notices().any(|n| n.text.starts_with("Released @ann's claims #")), "{action:?}");
    }
}

#[test]
fn removing_a_viewer_with_nothing_held_changes_no_claim_and_replays_the_same() {
    let inputs = [
        (almond_pink(1, 1), t(0)),
        (chat(2, "ann", "sold almond pink"), t(1)),
        (chat(3, "bob", "hello"), t(2)),
        (removed(4, ModAction::Muted, "id-bob"), t(3)),
        (removed(5, ModAction::Banned, "id-nobody"), t(4)),
    ];
    let run = || {
        let mut d = desk();
        let outs: Vec<Output> = inputs.iter().flat_map(|(i, at)| d.apply(i.clone(), *at)).collect();
        (d, outs)
    };
    let (a, out_a) = run();
    let (b, out_b) = run();
    assert_eq!((&a, &out_a), (&b, &out_b));
    assert_eq!(open_claims(&a), [("ann".to_owned(), 1, "held")]);
    assert!(sent(&out_a).is_empty());
    assert_eq!(last_notice(&a), "id-nobody was banned by mod");
}
