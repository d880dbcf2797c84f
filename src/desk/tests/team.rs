//! A team desk: named actions are credited, and a claim settled by one operator is answered
//! to the next with the first one's name.

use super::*;
use crate::desk::team::Hand;

fn by(name: &str, action: Action) -> Input {
    Input::Hand(Hand { by: name.into(), action, request: None })
}

#[test]
fn a_second_operator_confirming_the_same_claim_is_told_who_did_it_first() {
    let mut d = desk();
    d.apply(chat(1, "maria", "sold 2 almond pink"), t(0));
    let id = claim_id(&d, "maria");
    let first = d.apply(by("ben", Action::ConfirmClaim { id }), t(5));
    assert_eq!(sent_replies(&first).len(), 1, "the buyer hears it once");
    let second = d.apply(by("ana", Action::ConfirmClaim { id }), t(6));
    assert!(sent_replies(&second).is_empty(), "nothing is sent twice");
    assert_eq!(last_notice(&d), format!("ana: claim #{id} was confirmed by ben first; nothing changed"));
    assert_eq!(pink(&d), (18, 0, 18), "the units left stock once");
    let ops = d.summary().operators;
    assert_eq!(ops["ben"].confirmations, 1);
    assert!(!ops.contains_key("ana"), "an action that changed nothing credits no one");
}

#[test]
fn a_rejected_claim_cannot_be_confirmed_by_another_operator() {
    let mut d = desk();
    d.apply(chat(1, "maria", "sold 2 almond pink"), t(0));
    let id = claim_id(&d, "maria");
    d.apply(by("ana", Action::RejectClaim { id }), t(5));
    d.apply(by("ben", Action::ConfirmClaim { id }), t(6));
    assert_eq!(last_notice(&d), format!("ben: claim #{id} was rejected by ana first; nothing changed"));
    assert_eq!(pink(&d), (20, 0, 20));
}

#[test]
fn every_named_action_is_credited_to_its_operator() {
    let mut d = desk();
    d.apply(chat(1, "maria", "how much is almond pink?"), t(0));
    d.apply(by("ana", Action::Answer { reply: "price".into(), to: Some("m1".into()) }), t(1));
    let note = Action::NoteViewer { user_id: "id-maria".into(), note: "VIP".into(), tags: vec![] };
    d.apply(by("ben", note), t(2));
    d.apply(by("ben", Action::MarkHandled { msg_id: "m1".into() }), t(3));
    let ops = d.summary().operators;
    assert_eq!((ops["ana"].actions, ops["ana"].answers), (1, 1));
    assert_eq!((ops["ben"].actions, ops["ben"].notes, ops["ben"].answers), (2, 1, 0));
}

#[test]
fn named_and_unnamed_actions_leave_the_same_domain_state() {
    let (mut named, mut plain) = (desk(), desk());
    for d in [&mut named, &mut plain] {
        d.apply(chat(1, "maria", "sold 2 almond pink"), t(0));
    }
    let id = claim_id(&named, "maria");
    named.apply(by("ben", Action::ConfirmClaim { id }), t(5));
    plain.apply(op(Action::ConfirmClaim { id }), t(5));
    assert_eq!(named.state_digest(), plain.state_digest());
}
