//! The desk learning from the operator: an answer teaches the suggestion, a re-tag fixes a
//! comment at once and the comments like it from then on.

use std::collections::BTreeMap;

use super::*;
use crate::config::{EnvInfo, Paths};
use crate::desk::classify::Tag;
use crate::desk::learned::{Example, Memory};

fn demo_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
    let config = crate::config::load(&paths, &EnvInfo::default()).unwrap();
    Desk::new(DeskSetup {
        shop: config.shop,
        scrollback: 1000,
        ref_prefix: "l".into(),
        source: "test".into(),
        demo: true,
        reply_uses: BTreeMap::new(),
        history: Default::default(),
        replay: false,
    })
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn say(d: &mut Desk, seq: u64, text: &str) -> String {
    let user = User {
        id: format!("u{seq}"),
        name: format!("viewer{seq}"),
        region: Some("GB".into()),
        badges: vec![],
        follower: false,
    };
    let event = Event::Chat { msg_id: format!("m{seq}"), user, text: text.into(), reply_to: None };
    d.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), t(seq as i64));
    format!("m{seq}")
}

fn learned(out: &[Output]) -> Vec<&Example> {
    out.iter().filter_map(|o| if let Output::Learned(e) = o { Some(e) } else { None }).collect()
}

fn op(d: &mut Desk, action: Action, at: i64) -> Vec<Output> {
    d.apply(Input::Operator(action), t(at))
}

#[test]
fn an_answer_is_an_example_and_suggests_itself_for_comments_that_read_the_same() {
    let mut d = demo_desk();
    let first = say(&mut d, 1, "are these cruelty free hun?");
    assert_ne!(d.suggestion(&first).map(|r| r.id()), Some("glue-safe"), "no keyword says so");
    let out = op(&mut d, Action::Answer { reply: "glue-safe".into(), to: Some(first.clone()) }, 10);
    let examples = learned(&out);
    assert_eq!(examples.len(), 1);
    let e = examples[0];
    assert_eq!(
        (e.n, e.text.as_str(), e.reply.as_deref()),
        (1, "are these cruelty free hun", Some("glue-safe"))
    );
    assert!(e.tags.contains(&"question".to_owned()) && e.fixed.is_empty());

    let next = say(&mut d, 2, "Are these cruelty-free hun??");
    let s = d.suggest(&next).unwrap();
    assert_eq!((s.reply.id(), s.answered), ("glue-safe", Some(1)));
    op(&mut d, Action::Answer { reply: "glue-safe".into(), to: Some(next) }, 20);
    let third = say(&mut d, 3, "r these cruelty free hun");
    assert_eq!(d.suggest(&third).map(|s| s.answered), Some(Some(2)), "counted per answer");
    let other = say(&mut d, 4, "what size should I get?");
    assert_eq!(d.suggest(&other).map(|s| (s.reply.id(), s.answered)), Some(("sizing", None)));
}

#[test]
fn a_reply_by_key_and_a_comment_marked_handled_are_examples_too() {
    let mut d = demo_desk();
    let key = d.replies().all().iter().find_map(|r| r.key.clone()).unwrap();
    let m1 = say(&mut d, 1, "hiya what time does the sale start");
    let out = op(&mut d, Action::SendReply { key: key.clone(), to: Some(m1) }, 10);
    let id = d.replies().by_key(&key).unwrap().id().to_owned();
    assert_eq!(learned(&out).iter().map(|e| e.reply.clone()).collect::<Vec<_>>(), [Some(id)]);
    let m2 = say(&mut d, 2, "is the pink in stock?");
    let out = op(&mut d, Action::MarkHandled { msg_id: m2.clone() }, 20);
    let e = learned(&out);
    assert_eq!((e.len(), e[0].n, e[0].reply.clone()), (1, 2, None));
    assert!(learned(&op(&mut d, Action::MarkHandled { msg_id: m2 }, 21)).is_empty(), "once handled");
    // A reply to no comment teaches nothing.
    assert!(learned(&op(&mut d, Action::SendReply { key, to: None }, 30)).is_empty());
}

#[test]
fn a_retag_fixes_the_comment_at_once_and_teaches_the_ones_like_it() {
    let mut d = demo_desk();
    let text = "the parcel took its sweet time didnt it";
    let m1 = say(&mut d, 1, text);
    // Whatever the classifier made of it, the operator's fix turns it the other way.
    let said = d.chat().by_msg_id(&m1).unwrap().tags.has(Tag::Complaint);
    let complaints = d.chat().tagged(Tag::Complaint);
    let out = op(&mut d, Action::Retag { msg_id: m1.clone(), tag: "complaint".into() }, 10);
    let m = d.chat().by_msg_id(&m1).unwrap();
    assert_eq!(m.tags.has(Tag::Complaint), !said, "the fix shows at once");
    assert_eq!(d.chat().tagged(Tag::Complaint), if said { complaints - 1 } else { complaints + 1 });
    let e = learned(&out);
    assert_eq!(e[0].fixed, ["complaint"]);
    assert_eq!(e[0].tags.contains(&"complaint".to_owned()), !said);

    let like = say(&mut d, 2, "the parcel took its sweet time didnt it 🙃");
    assert_eq!(d.chat().by_msg_id(&like).unwrap().tags.has(Tag::Complaint), !said, "the shop's override");
    let unlike_text = "what time does the sale start";
    let unlike = say(&mut d, 3, unlike_text);
    let fresh = {
        let mut f = demo_desk();
        let id = say(&mut f, 3, unlike_text);
        f.chat().by_msg_id(&id).unwrap().tags
    };
    assert_eq!(d.chat().by_msg_id(&unlike).unwrap().tags, fresh, "a comment unlike it keeps its own tags");

    // Toggled back: the fix is undone on the comment and for the ones after it.
    op(&mut d, Action::Retag { msg_id: m1.clone(), tag: "complaint".into() }, 20);
    assert_eq!(d.chat().by_msg_id(&m1).unwrap().tags.has(Tag::Complaint), said);
    let again = say(&mut d, 4, text);
    assert_eq!(d.chat().by_msg_id(&again).unwrap().tags.has(Tag::Complaint), said);
}

#[test]
fn a_question_retagged_away_leaves_unanswered_and_bad_retags_say_why() {
    let mut d = demo_desk();
    let m1 = say(&mut d, 1, "what time does the sale start?");
    assert!(d.chat().by_msg_id(&m1).unwrap().tags.has(Tag::Question));
    let waiting = d.chat().unanswered_count();
    op(&mut d, Action::Retag { msg_id: m1.clone(), tag: "question".into() }, 10);
    assert_eq!(d.chat().unanswered_count(), waiting - 1);
    let out = op(&mut d, Action::Retag { msg_id: m1.clone(), tag: "vip".into() }, 11);
    assert!(out.is_empty());
    assert!(d.notices().last().unwrap().text.contains("Cannot re-tag with “vip”"));
    op(&mut d, Action::Retag { msg_id: "gone".into(), tag: "spam".into() }, 12);
    assert!(d.notices().last().unwrap().text.contains("no longer in the chat"));
    assert!(Action::from_script("retag", Some(serde_json::json!({"msg_id": "m1", "tag": "spam"}))).is_ok());
}

#[test]
fn a_desk_starts_knowing_what_earlier_streams_taught() {
    let example = Example {
        n: 1,
        text: "are these cruelty free hun".into(),
        lang: None,
        tags: vec!["question".into()],
        fixed: vec![],
        reply: Some("glue-safe".into()),
    };
    let fix = Example {
        n: 2,
        reply: None,
        fixed: vec!["spam".into()],
        tags: vec!["spam".into()],
        text: "follow me for follow".into(),
        ..example.clone()
    };
    let mut d = demo_desk().with_memory(Memory::of([example.clone(), example, fix]));
    let m = say(&mut d, 1, "are these cruelty free hun");
    assert_eq!(d.suggest(&m).map(|s| s.answered), Some(Some(2)));
    let spam = say(&mut d, 2, "follow me for follow!!");
    assert!(d.chat().by_msg_id(&spam).unwrap().tags.has(Tag::Spam));
    assert_eq!(d.learned().taught(), 3);
}

#[test]
fn a_welcome_the_shop_taught_is_not_sent_to_a_viewer_again() {
    let mut d = demo_desk();
    let said_by = |d: &mut Desk, seq: u64, id: &str, text: &str| {
        let user = User {
            id: id.into(),
            name: id.into(),
            region: Some("GB".into()),
            badges: vec![],
            follower: false,
        };
        let event = Event::Chat { msg_id: format!("m{seq}"), user, text: text.into(), reply_to: None };
        d.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), t(seq as i64 * 100));
        format!("m{seq}")
    };
    let first = said_by(&mut d, 1, "ana", "evening ladies, kettle on");
    op(&mut d, Action::Answer { reply: "welcome".into(), to: Some(first) }, 150);
    // Another viewer's first words that read the same: the shop's own answer.
    let new = said_by(&mut d, 2, "bea", "evening ladies, kettle on!");
    let hit = d.suggest(&new).unwrap();
    assert_eq!((hit.reply.id(), hit.answered), ("welcome", Some(1)));
    // Ana said hello already: the same words now are no welcome.
    let again = said_by(&mut d, 3, "ana", "evening ladies, kettle on!!");
    assert_ne!(d.suggestion(&again).map(|r| r.id()), Some("welcome"));
}
