//! The state digest: equal for equal journals, moved by every domain change.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::*;
use crate::app::{Clock, Session};
use crate::config::{self, EnvInfo, Paths};
use crate::desk::catalog::Adjust;
use crate::desk::{Action, DeskSetup, Input, Level, LinkEvent};
use crate::protocol::{Event, OrderStatus, StreamInfo};
use crate::store::Resume;
use crate::store::{self, Journal, Store};

fn load(dir: &Path) -> config::Config {
    let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
    config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads")
}

/// A desk for the built-in shop whose commands carry refs starting with `prefix`.
fn built_in_desk(prefix: &str) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    Desk::new(DeskSetup {
        shop: load(dir.path()).shop,
        scrollback: 1000,
        ref_prefix: prefix.into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    })
}

/// A stream with a held claim, a question, an order and a sale under way.
fn stream() -> Vec<(Input, DateTime<Utc>)> {
    let info = StreamInfo { id: "s1".into(), currency: "GBP".into(), ..Default::default() };
    vec![
        (frame(0, Event::Welcome { stream: info, resumed: false, epoch: None }), t(0)),
        (chat(1, "maria", "sold 2 almond pink"), t(1)),
        (chat(2, "jo", "do you ship to Ireland?"), t(2)),
        (
            frame(
                3,
                Event::Order {
                    order_id: "o1".into(),
                    user: user("bea"),
                    sku: "COFFIN-NUDE".into(),
                    qty: 1,
                    unit_price: "9.99".parse().unwrap(),
                    currency: "GBP".into(),
                    status: OrderStatus::Paid,
                },
            ),
            t(3),
        ),
        (op(Action::StartSale { id: "almond-rush".into() }), t(4)),
    ]
}

fn played(prefix: &str) -> Desk {
    let mut d = built_in_desk(prefix);
    for (input, at) in stream() {
        d.apply(input, at);
    }
    d
}

fn after(d: &Desk, input: Input, at: i64) -> String {
    let mut d = d.clone();
    d.apply(input, t(at));
    d.state_digest()
}

#[test]
fn the_same_inputs_give_the_same_digest_in_two_desks_whatever_their_refs_and_notices() {
    let (a, mut b) = (played("run-a"), played("run-b"));
    assert_ne!(a.pending().keys().next(), b.pending().keys().next(), "the refs differ");
    assert_eq!(a.state_digest(), b.state_digest());
    b.apply(Input::Link(LinkEvent::Notice { level: Level::Info, text: "store restored".into() }), t(5));
    assert_eq!(a.state_digest(), b.state_digest(), "a notice is no domain state");
    let digest = a.state_digest();
    assert_eq!(digest.len(), 32, "128 bits as hex");
    assert!(digest.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{digest}");
    assert_ne!(digest, built_in_desk("run-a").state_digest(), "the stream changed the desk");
}

#[test]
fn a_confirmed_claim_a_retag_a_note_a_stock_adjust_and_a_closed_waitlist_each_change_the_digest() {
    let d = played("t");
    let claim = d.claims().open().next().expect("maria's claim is held").id;
    let changed = [
        after(&d, op(Action::ConfirmClaim { id: claim }), 10),
        after(&d, op(Action::Retag { msg_id: "m2".into(), tag: "complaint".into() }), 10),
        after(
            &d,
            op(Action::NoteViewer { user_id: "id-jo".into(), note: "lives in Cork".into(), tags: vec![] }),
            10,
        ),
        after(
            &d,
            op(Action::AdjustStock {
                sku: "COFFIN-NUDE".into(),
                change: Adjust::Add(3),
                reason: "found a box".into(),
            }),
            10,
        ),
        after(&d, op(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false }), 10),
    ];
    let base = d.state_digest();
    for (i, digest) in changed.iter().enumerate() {
        assert_ne!(*digest, base, "change {i} left the digest");
        assert_eq!(changed.iter().filter(|&other| other == digest).count(), 1, "change {i} is like another");
    }
    // A note's tags count as well as its text.
    let tagged = op(Action::NoteViewer {
        user_id: "id-jo".into(),
        note: "lives in Cork".into(),
        tags: vec!["VIP".into()],
    });
    assert_ne!(after(&d, tagged, 10), changed[2]);
}

#[test]
fn ticks_that_change_nothing_leave_the_digest_and_an_expiry_does_not() {
    let d = played("t");
    let mut ticked = d.clone();
    for s in [5, 6, 30, 59] {
        ticked.apply(Input::Tick, t(s));
    }
    assert_eq!(ticked.revision(), d.revision(), "these ticks change nothing");
    assert_eq!(ticked.state_digest(), d.state_digest());
    // The claim's hold is ten minutes: a tick past it frees its units.
    let expired = after(&d, Input::Tick, 11 * 60);
    assert_ne!(expired, d.state_digest());
}

#[test]
fn the_demo_replayed_with_a_store_and_without_and_rebuilt_from_the_journal_ends_with_one_digest() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(dir.path());
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/flash-friday.jsonl");
    let mut storeless = Session::replay(&config, "flash-friday.jsonl".into(), Clock::wall());
    crate::replay::run_file(&mut storeless, &demo).unwrap();

    let path = store::path_in(&dir.path().join("state"));
    let db = Store::open(&path).unwrap();
    let mut stored = Session::replay(&config, "flash-friday.jsonl".into(), Clock::wall());
    stored.attach_store(&db, Journal::start(&path).unwrap(), "replay", Resume::Fresh).unwrap();
    crate::replay::run_file(&mut stored, &demo).unwrap();
    stored.finish();

    let digest = storeless.desk.state_digest();
    assert!(storeless.desk.claims().counts().confirmed > 0, "the demo confirms claims");
    assert_eq!(stored.desk.state_digest(), digest);
    // A console that reads the journal back (a restart, another console) ends the same.
    let session = db.sessions().unwrap().last().expect("the replay was journaled").id;
    let mut rebuilt = Session::replay(&config, "flash-friday.jsonl".into(), Clock::wall()).desk;
    assert!(db.rebuild(session, &mut rebuilt).unwrap().inputs > 0);
    assert_eq!(rebuilt.state_digest(), digest);
}
