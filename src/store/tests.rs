use super::*;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use tokio::sync::mpsc;

use crate::app::{self, Clock, Session};
use crate::config::{self, Config, EnvInfo, Paths};
use crate::desk::{DeskSetup, Level};
use crate::protocol::{Event, Gift, ModAction, OrderStatus, StreamInfo, StreamState, User};

pub(super) const SOURCE: &str = "ws://platform.test/feed";

pub(super) fn config(dir: &Path) -> Config {
    let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
    config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads")
}

pub(super) fn t(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_763_000_000_000 + ms).unwrap() + chrono::Duration::nanoseconds(123_456)
}

pub(super) fn user(n: u32) -> User {
    User {
        id: format!("u{n}"),
        name: format!("viewer{n}"),
        region: Some("GB".into()),
        badges: vec![],
        follower: n.is_multiple_of(2),
    }
}

pub(super) fn frame(seq: u64, event: Event) -> Input {
    Input::Feed(Frame { v: 1, seq, ts: "2025-11-13T02:13:20.000Z".into(), event })
}

pub(super) fn welcome(id: &str) -> Input {
    let stream = StreamInfo {
        id: id.into(),
        title: format!("{id} live"),
        currency: "GBP".into(),
        ..Default::default()
    };
    frame(0, Event::Welcome { stream, resumed: false, epoch: None })
}

pub(super) fn order(seq: u64, id: &str, sku: &str, qty: u32, status: OrderStatus) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(seq as u32),
            sku: sku.into(),
            qty,
            unit_price: "4.99".parse().unwrap(),
            currency: "GBP".into(),
            status,
        },
    )
}

pub(super) fn chat(seq: u64) -> Input {
    frame(
        seq,
        Event::Chat {
            msg_id: format!("m{seq}"),
            user: user(seq as u32),
            text: format!("hello {seq}"),
            reply_to: None,
        },
    )
}

/// A desk as a restart builds it before reading the journal.
pub(super) fn fresh(config: &Config) -> Desk {
    fresh_knowing(config, Default::default())
}

/// [`fresh`], with what earlier streams knew of the viewers.
pub(super) fn fresh_knowing(config: &Config, history: crate::desk::viewers::History) -> Desk {
    Desk::new(DeskSetup {
        shop: config.shop.clone(),
        scrollback: config.settings.scrollback,
        ref_prefix: "unused".into(),
        source: "platform.test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: std::sync::Arc::new(history),
        replay: false,
    })
}

/// A session journaling into `dir`'s store, its commands going to a channel.
fn stored_session(
    dir: &Path,
    config: &Config,
) -> (Session, mpsc::UnboundedReceiver<crate::protocol::Command>, app::ResumePoint) {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    let path = path_in(&dir.join("state"));
    let store = Store::open(&path).unwrap();
    let point =
        session.attach_store(&store, Journal::start(&path).unwrap(), SOURCE, Resume::Unfinished).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    session.connect_commands(tx);
    (session, rx, point)
}

fn open_store(dir: &Path) -> Store {
    Store::open(&path_in(&dir.join("state"))).unwrap()
}

/// Every kind of input, with every field filled.
pub(super) fn every_input() -> Vec<Input> {
    let u = user(7);
    let mut inputs = vec![
        welcome("s1"),
        frame(
            1,
            Event::Chat {
                msg_id: "m1".into(),
                user: u.clone(),
                text: "hi 💅 “quoted”".into(),
                reply_to: Some("m0".into()),
            },
        ),
        frame(2, Event::Question { msg_id: "m2".into(), user: u.clone(), text: "price?".into() }),
        frame(3, Event::Join { user: u.clone() }),
        frame(4, Event::Viewers { count: 10_000 }),
        frame(5, Event::Like { user: None, count: 3 }),
        frame(6, Event::Like { user: Some(u.clone()), count: 1 }),
        frame(7, Event::Follow { user: u.clone() }),
        frame(8, Event::Share { user: u.clone() }),
        frame(
            9,
            Event::Gift {
                user: u.clone(),
                gift: Gift { name: "Rose".into(), value: "0.10".parse().unwrap(), currency: "GBP".into() },
                repeat: 4,
            },
        ),
        order(10, "o1", "ALMOND-PINK", 2, OrderStatus::Placed),
        frame(11, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Refunded }),
        frame(12, Event::Stock { sku: "ALMOND-PINK".into(), available: 3 }),
        frame(
            13,
            Event::Moderation {
                action: ModAction::Banned,
                msg_id: None,
                user_id: Some("u7".into()),
                by: Some("mod".into()),
            },
        ),
        frame(
            14,
            Event::Moderation {
                action: ModAction::Deleted,
                msg_id: Some("m1".into()),
                user_id: None,
                by: None,
            },
        ),
        frame(15, Event::Stream { state: StreamState::Paused }),
        frame(15, Event::Ack { reference: "r1".into(), ok: false, error: Some("no".into()) }),
        frame(15, Event::Error { code: "42".into(), message: "slow down".into() }),
        Input::Tick,
    ];
    inputs.extend(
        [
            LinkEvent::Connecting { attempt: 2 },
            LinkEvent::Connected,
            LinkEvent::Disconnected { reason: "cut".into(), retry_in_ms: 500 },
            LinkEvent::Failed { reason: "token".into() },
            LinkEvent::Malformed { reason: "bad json".into() },
            LinkEvent::Unknown { kind: "poll".into() },
            LinkEvent::Duplicate,
            LinkEvent::Gap { missed: 3 },
            LinkEvent::StreamEnded,
            LinkEvent::Notice { level: Level::Warn, text: "restored".into() },
            LinkEvent::SendQueue { held: vec!["r2".into(), "r3".into()], next_in_ms: 12_000 },
        ]
        .map(Input::Link),
    );
    inputs.extend(
        [
            Action::SendReply { key: "1".into(), to: Some("m1".into()) },
            Action::Answer { reply: "sizing".into(), to: Some("m1".into()) },
            Action::StartSale { id: "almond-rush".into() },
            Action::ExtendSale { id: None, seconds: 30 },
            Action::EndSale { id: None },
            Action::PinProduct { sku: None },
            Action::SendHeld {},
            Action::DropHeld {},
            Action::NoteViewer {
                user_id: "u7".into(),
                note: "sizes run small".into(),
                tags: vec!["VIP".into()],
            },
        ]
        .map(Input::Operator),
    );
    let mut edited = crate::config::model::ReplySpec::new("Sizing", "12 sizes, {user}");
    edited.lang.insert("es".into(), "12 tallas".into());
    edited.keywords = vec!["talla".into()];
    inputs.push(Input::Replies(vec![edited]));
    let confirm = Action::ConfirmClaim { id: 3 };
    inputs.push(Input::Hand(crate::desk::team::Hand { by: "ana".into(), action: confirm, request: Some(7) }));
    inputs
}

#[test]
fn every_input_reads_back_as_it_was_written() {
    for input in every_input() {
        let (kind, _, body) = writer::encode(&Item::Input(input.clone())).unwrap();
        assert_eq!(decode(kind, &body).unwrap(), Item::Input(input.clone()), "{kind}: {body}");
        // The serde form of an input is the journal's two columns.
        let value = serde_json::to_value(&input).unwrap();
        assert_eq!(value["kind"], kind);
    }
}

#[test]
fn replies_used_in_earlier_streams_are_counted_and_a_rebuild_counts_its_own_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let answer = |reply: &str| Input::Operator(Action::Answer { reply: reply.into(), to: None });
    let (mut first, _commands, _) = stored_session(dir.path(), &config);
    let id = |key: &str| {
        config.shop.replies.replies.iter().find(|r| r.key.as_deref() == Some(key)).unwrap().id().to_owned()
    };
    let (sizing, price) = (id("3"), id("2"));
    play(
        &mut first,
        &[(welcome("s1"), 0), (answer(&sizing), 10), (answer(&sizing), 20), (answer(&price), 30)],
    );
    play(&mut first, &[(frame(2, Event::Stream { state: StreamState::Ended }), 40)]);
    first.finish();

    // The next stream starts with those counts, and adds its own.
    let (mut second, _commands, _) = stored_session(dir.path(), &config);
    assert_eq!((second.desk.replies().uses(&sizing), second.desk.replies().uses(&price)), (2, 1));
    play(&mut second, &[(welcome("s2"), 50), (answer(&price), 60)]);
    assert_eq!(second.desk.replies().uses(&price), 2);
    drop(second); // a crash: the restart rebuilds this session from its journal

    let (again, _commands, point) = stored_session(dir.path(), &config);
    assert_eq!(point.stream.as_deref(), Some("s2"));
    assert_eq!((again.desk.replies().uses(&sizing), again.desk.replies().uses(&price)), (2, 2));
    let store = open_store(dir.path());
    assert_eq!(store.reply_uses(None).unwrap(), BTreeMap::from([(sizing, 2), (price, 2)]));
}

#[test]
fn the_shops_answers_are_kept_across_streams_and_a_rebuild_teaches_its_own_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let said = |seq: u64, text: &str| {
        let (msg_id, user, text) = (format!("m{seq}"), user(seq as u32), text.into());
        frame(seq, Event::Chat { msg_id, user, text, reply_to: None })
    };
    let answer =
        |to: &str| Input::Operator(Action::Answer { reply: "glue-safe".into(), to: Some(to.into()) });
    let times = |s: &Session| {
        s.desk
            .learned()
            .answered(&crate::desk::text::normalize("are these cruelty free hun"))
            .map(|h| h.times)
    };
    let (mut first, _commands, _) = stored_session(dir.path(), &config);
    play(
        &mut first,
        &[
            (welcome("s1"), 0),
            (said(1, "are these cruelty free hun"), 10),
            (answer("m1"), 20),
            (said(2, "are these cruelty free?"), 30),
            (answer("m2"), 40),
            (frame(3, Event::Stream { state: StreamState::Ended }), 50),
        ],
    );
    first.finish();

    // The next stream starts knowing them, and adds its own.
    let (mut second, _commands, _) = stored_session(dir.path(), &config);
    assert_eq!(times(&second), Some(2));
    play(&mut second, &[(welcome("s2"), 60), (said(1, "are they cruelty free hun"), 70), (answer("m1"), 80)]);
    assert_eq!(times(&second), Some(3));
    drop(second); // a crash: the restart rebuilds this session from its journal
    let store = open_store(dir.path());
    assert_eq!(store.examples(None).unwrap().len(), 3);
    // As if the crash had kept the example's row from the disk: the rebuild writes it again.
    store.conn.execute("DELETE FROM examples WHERE session_id = 2", []).unwrap();

    let (again, _commands, point) = stored_session(dir.path(), &config);
    assert_eq!(point.stream.as_deref(), Some("s2"));
    assert_eq!(times(&again), Some(3), "the rebuilt stream's answer counts once");
    drop(again);
    let kept = open_store(dir.path()).examples(None).unwrap();
    let texts: Vec<&str> = kept.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["are these cruelty free hun", "are these cruelty free", "are they cruelty free hun"]);
    assert!(kept.iter().all(|e| e.reply.as_deref() == Some("glue-safe") && e.fixed.is_empty()));
    let (again, _commands, _) = stored_session(dir.path(), &config);
    assert_eq!(times(&again), Some(3), "a second restart counts it once too");
}

#[test]
fn a_frame_in_the_journal_is_its_wire_form() {
    let Input::Feed(frame) = chat(3) else { unreachable!() };
    let (kind, seq, body) = writer::encode(&Item::Input(Input::Feed(frame.clone()))).unwrap();
    assert_eq!((kind, seq), ("feed", Some(3)));
    assert_eq!(body, frame.to_json());
    assert_eq!(crate::protocol::decode_frame(&body).unwrap(), frame);
    // Connection-level frames carry the head seq, not one of their own: no seq column.
    assert_eq!(writer::encode(&Item::Input(welcome("s"))).unwrap().1, None);
}

/// The inputs of a short stream with a flash sale that sells out, one that runs out of
/// time, a cancelled order, acks and idle ticks, each with its time.
pub(super) fn a_stream() -> Vec<(Input, i64)> {
    let mut inputs = vec![
        (Input::Link(LinkEvent::Connecting { attempt: 1 }), 0),
        (Input::Link(LinkEvent::Connected), 5),
        (welcome("s1"), 10),
        (chat(1), 20),
        (Input::Operator(Action::StartSale { id: "almond-rush".into() }), 30),
        (Input::Tick, 280),
    ];
    for i in 0..12u64 {
        inputs
            .push((order(2 + i, &format!("o{i}"), "ALMOND-PINK", 1, OrderStatus::Paid), 300 + 10 * i as i64));
        inputs.push((Input::Tick, 305 + 10 * i as i64));
    }
    inputs
        .push((frame(14, Event::OrderUpdate { order_id: "o3".into(), status: OrderStatus::Cancelled }), 500));
    inputs.push((Input::Operator(Action::StartSale { id: "glue-bundle".into() }), 600));
    inputs.push((Input::Tick, 30_000));
    inputs.push((Input::Tick, 60_599)); // not yet
    inputs.push((Input::Tick, 60_600)); // the glue bundle's minute is up
    inputs.push((Input::Tick, 60_850));
    inputs.push((frame(15, Event::Ack { reference: "nobody".into(), ok: true, error: None }), 61_000));
    inputs.push((chat(16), 61_100));
    inputs
}

pub(super) fn play(session: &mut Session, inputs: &[(Input, i64)]) {
    for (input, ms) in inputs {
        session.apply((input.clone(), Some(t(*ms))));
    }
}

fn rows(store: &Store, sql: &str) -> Vec<(String, i64)> {
    let mut stmt = store.conn.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn rebuilding_from_the_journal_gives_the_live_desk_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _commands, point) = stored_session(dir.path(), &config);
    assert_eq!(point, app::ResumePoint::default());
    play(&mut session, &a_stream());
    let live = session.desk.clone();
    session.finish();
    assert_eq!(live.sales().all()[0].state.name(), "ended");
    assert_eq!(live.sales().all()[2].state.name(), "ended");

    let store = open_store(dir.path());
    let open = store.latest_open(SOURCE).unwrap().expect("the stream has not ended");
    assert_eq!((open.stream_id.as_deref(), open.last_seq), (Some("s1"), Some(16)));
    let (mut first, mut second) = (fresh(&config), fresh(&config));
    let rebuilt = store.rebuild(open.id, &mut first).unwrap();
    store.rebuild(open.id, &mut second).unwrap();
    assert_eq!(first, second, "the same journal twice gives the same desk");
    assert_eq!(first, live, "the journal gives the live desk");
    assert_eq!(first.summary(), live.summary());
    // Two ticks changed something (the glue bundle's T-30 and T-10 warnings came due at
    // 60 599 ms, its minute ran out at 60 600 ms): only those ticks are kept.
    let kinds = rows(&store, "SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    assert!(kinds.contains(&("tick".into(), 2)), "{kinds:?}");
    assert_eq!(rebuilt.inputs as usize, a_stream().iter().filter(|(i, _)| *i != Input::Tick).count() + 2);
}

#[test]
fn a_reply_held_by_the_pre_send_check_is_rebuilt_waiting_and_its_sending_is_rebuilt_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    let deal = crate::config::model::ReplySpec {
        products: vec!["ALMOND-PINK".into()],
        ..crate::config::model::ReplySpec::new("Deal", "@{user} almond is just £3.50 today!")
    };
    config.shop.replies.replies.push(deal);
    let held = || Input::Operator(Action::Answer { reply: "Deal".into(), to: Some("m1".into()) });
    let (mut session, _commands, _) = stored_session(dir.path(), &config);
    play(&mut session, &[(welcome("s1"), 0), (chat(1), 10), (held(), 20)]);
    let live = session.desk.clone();
    assert_eq!(live.held().map(|h| h.text.as_str()), Some("@viewer1 almond is just £3.50 today!"));
    drop(session); // a crash while the reply waits

    let (mut again, _commands, _) = stored_session(dir.path(), &config);
    assert_eq!(again.desk.held(), live.held(), "the rebuilt desk holds the same reply");
    play(&mut again, &[(Input::Operator(Action::SendHeld {}), 30)]);
    let sent = again.desk.clone();
    assert!(sent.held().is_none());
    drop(again);

    let store = open_store(dir.path());
    let open = store.latest_open(SOURCE).unwrap().unwrap();
    let mut rebuilt = fresh(&config);
    store.rebuild(open.id, &mut rebuilt).unwrap();
    assert!(rebuilt.held().is_none(), "the operator's send is journaled like any action");
    assert_eq!(rebuilt.chat().by_msg_id("m1").map(|m| m.answered), Some(true));
    assert_eq!(rebuilt.summary(), sent.summary());
}

#[test]
fn a_quiet_spell_a_tick_showed_just_before_a_crash_is_in_the_rebuilt_desk() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _commands, _) = stored_session(dir.path(), &config);
    let viewers = frame(1, Event::Viewers { count: 3400 });
    play(
        &mut session,
        &[(welcome("s1"), 0), (viewers, 0), (chat(2), 1_000), (Input::Tick, 30_000), (Input::Tick, 61_000)],
    );
    let live = session.desk.clone();
    assert!(live.health().quiet(live.now()).is_some(), "a minute with no comment while 3,400 watch");
    session.finish();

    let store = open_store(dir.path());
    let open = store.latest_open(SOURCE).unwrap().unwrap();
    let mut rebuilt = fresh(&config);
    store.rebuild(open.id, &mut rebuilt).unwrap();
    assert_eq!(rebuilt, live, "the tick that showed the spell was journaled");
}

#[test]
fn a_restart_resumes_after_the_last_seq_and_sends_unanswered_commands_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, mut commands, _) = stored_session(dir.path(), &config);
    play(&mut session, &a_stream()[..8]);
    // The sale's start and its announcement, sent by the journal writer once on disk.
    let sent: Vec<_> = (0..2).map(|_| commands.blocking_recv().unwrap()).collect();
    assert!(commands.try_recv().is_err(), "{sent:?}");
    let refs_before: Vec<String> = sent.iter().filter_map(|c| c.reference().map(str::to_owned)).collect();
    let live = session.desk.clone();
    drop(session); // no finish: as good as a crash once the batch is in

    let (mut again, mut commands, point) = stored_session(dir.path(), &config);
    assert_eq!(point, app::ResumePoint { after: Some(2), stream: Some("s1".into()) });
    let (now, then) = (again.desk.summary(), live.summary());
    assert_eq!(
        (now.stock, now.orders, now.gmv, now.events_applied),
        (then.stock, then.orders, then.gmv, then.events_applied)
    );
    // The sale's two minutes ran out while the desk was down: it ends on the wall clock.
    assert_eq!(live.sales().all()[0].state.name(), "live");
    assert_eq!(again.desk.sales().all()[0].ended().map(|e| e.1), Some(crate::desk::sales::EndReason::TimeUp));
    assert!(again.desk.notices().any(|n| n.text.starts_with("Restored s1 from the journal")));
    // Both commands wait for an ack: they go again, with their own refs, before anything new;
    // then the sale's end, with a ref no earlier run used.
    let after: Vec<_> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
    let refs: Vec<String> = after.iter().filter_map(|c| c.reference().map(str::to_owned)).collect();
    assert_eq!(refs[..2], refs_before[..], "{after:?}");
    assert!(
        matches!(
            &after[2],
            crate::protocol::Command::FlashSale { action: crate::protocol::SaleAction::End, .. }
        ),
        "{after:?}"
    );
    assert!(!refs_before.contains(&refs[2]), "{after:?}");
    assert!(again.desk.pending().contains_key(&refs[2]));
    again.finish();
    let store = open_store(dir.path());
    assert_eq!(
        rows(&store, "SELECT kind, COUNT(*) FROM journal WHERE kind = 'run' GROUP BY kind"),
        [("run".into(), 2)]
    );
    assert_eq!(rows(&store, "SELECT source, COUNT(*) FROM sessions GROUP BY source"), [(SOURCE.into(), 1)]);
}

#[test]
fn a_stream_that_ended_is_not_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _c, _) = stored_session(dir.path(), &config);
    play(&mut session, &a_stream()[..5]);
    session.apply((frame(3, Event::Stream { state: StreamState::Ended }), Some(t(700))));
    session.finish();
    let (again, _c, point) = stored_session(dir.path(), &config);
    assert_eq!(point, app::ResumePoint::default());
    assert_eq!(again.desk.counters().events_applied, 0);
    let store = open_store(dir.path());
    let list = store.sessions().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[1].ended_at.is_some() && list[0].ended_at.is_none(), "{list:#?}");
}

#[test]
fn a_welcome_for_another_stream_closes_the_session_and_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _c, _) = stored_session(dir.path(), &config);
    play(&mut session, &a_stream()[..8]);
    session.apply((welcome("s2"), Some(t(1_000))));
    session.apply((chat(1), Some(t(1_100))));
    assert_eq!(session.desk.stream().id, "s2");
    assert_eq!(session.desk.counters().events_applied, 1);
    assert!(session.desk.sales().live().is_none());
    assert!(session.desk.notices().any(|n| n.text.contains("A new stream, s2")));
    let live = session.desk.clone();
    session.finish();

    let store = open_store(dir.path());
    let list = store.sessions().unwrap();
    assert_eq!(
        list.iter().map(|s| (s.stream.as_deref(), s.ended_at.is_some())).collect::<Vec<_>>(),
        [(Some("s2"), false), (Some("s1"), true)]
    );
    assert_eq!((list[1].orders, list[1].gmv.get("GBP").map(String::as_str)), (1, Some("4.99")));
    let open = store.latest_open(SOURCE).unwrap().unwrap();
    // A restart knows s1's viewers from the store, as the live desk knew them from s1 itself.
    let history = store.viewer_history(SOURCE, Some(open.id)).unwrap();
    assert_eq!(history.get("u2").map(|p| p.bought.orders), Some(1));
    let mut rebuilt = fresh_knowing(&config, history);
    store.rebuild(open.id, &mut rebuilt).unwrap();
    assert_eq!(rebuilt, live);
}

#[test]
fn the_session_row_keeps_orders_gmv_and_length() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _c, _) = stored_session(dir.path(), &config);
    play(&mut session, &a_stream());
    let summary = session.desk.summary();
    session.finish();
    let info = &open_store(dir.path()).sessions().unwrap()[0];
    assert_eq!(info.orders, summary.orders as u64);
    assert_eq!(info.gmv, summary.gmv);
    assert_eq!(info.last_seq, Some(16));
    assert_eq!(info.source, SOURCE);
    assert_eq!(info.title.as_deref(), Some("s1 live"));
}

#[test]
fn after_a_renumbering_a_restart_resumes_in_the_new_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    for n in 1..=50 {
        journal.record(id, t(0), Item::Input(chat(n)));
    }
    // The platform restarted and numbers from 1 again.
    journal.record(id, t(1), Item::Input(Input::Link(crate::desk::LinkEvent::Renumbered)));
    for seq in 1..=3 {
        let Input::Feed(mut news) = chat(100 + seq) else { unreachable!() };
        news.seq = seq;
        journal.record(id, t(2), Item::Input(Input::Feed(news)));
    }
    journal.record_durably(id, t(3), vec![]).unwrap();
    let store = Store::open(&path).unwrap();
    let open = store.latest_open("demo").unwrap().expect("the stream is open");
    assert_eq!(open.last_seq, Some(3), "the last event applied, not the highest seq ever");
}

#[test]
fn an_operator_action_is_on_disk_when_record_durably_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    for n in 0..2_500u64 {
        journal.record(id, t(n as i64), Item::Input(chat(n + 1)));
    }
    let action = Item::Input(Input::Operator(Action::EndSale { id: None }));
    journal.record_durably(id, t(3_000), vec![action]).unwrap();
    // Another connection (another process, after a crash) sees all of it at once.
    let store = Store::open(&path).unwrap();
    let counted = rows(&store, "SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    assert_eq!(counted, [("feed".into(), 2_500), ("operator".into(), 1)]);
    let last: i64 =
        store.conn.query_row("SELECT last_seq FROM sessions WHERE id = ?1", [id], |r| r.get(0)).unwrap();
    assert_eq!(last, 2_500);
    // Rows are numbered in order, with no hole.
    let (min, max, count): (i64, i64, i64) = store
        .conn
        .query_row("SELECT MIN(n), MAX(n), COUNT(*) FROM journal WHERE session_id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((min, max, count), (1, 2_501, 2_501));
    journal.finish();
}

#[test]
fn an_operator_command_leaves_only_once_its_action_is_on_disk_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    let (sink, mut sent) = mpsc::unbounded_channel();
    let command = |r: &str| crate::protocol::Command::PinProduct { reference: r.into(), sku: None };
    for n in 0..3_000u64 {
        journal.record(id, t(n as i64), Item::Input(chat(n + 1)));
    }
    let action = Item::Input(Input::Operator(Action::PinProduct { sku: None }));
    journal.record_durably_then_send(id, t(3_000), vec![action], vec![command("a")], &sink);
    assert!(journal.holding());
    // A command made after it (a feed event's) waits its turn instead of overtaking it.
    journal.send_in_turn(vec![command("b")], &sink);
    let first = sent.blocking_recv().unwrap();
    let store = Store::open(&path).unwrap();
    let on_disk = rows(&store, "SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    assert_eq!(on_disk, [("feed".into(), 3_000), ("operator".into(), 1)], "when {first:?} left");
    assert_eq!(first.reference(), Some("a"));
    assert_eq!(sent.blocking_recv().unwrap().reference(), Some("b"));
    journal.flush().unwrap();
    assert!(!journal.holding());
}

#[test]
fn a_writer_held_up_by_the_disk_keeps_its_queue_within_the_bound_and_loses_nothing() {
    const BOUND: usize = 16;
    const CHATS: u64 = 5_000;
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start_with_queue(&path, BOUND).unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    let backlog = journal.backlog();
    // Another process holds the database's write lock: the writer's first commit waits.
    let other = Store::open(&path).unwrap();
    other.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    // The first row's batch closes and its commit waits on the lock before the flood comes:
    // else a writer thread slow to be scheduled could find the queue full, and drain it.
    journal.record(id, t(1), Item::Input(chat(1)));
    std::thread::sleep(writer::BATCH_WAIT * 3);
    let feeding = std::thread::spawn(move || {
        for n in 2..=CHATS {
            journal.record(id, t(n as i64), Item::Input(chat(n)));
        }
        journal
    });
    let mut most = 0;
    while most < BOUND && !feeding.is_finished() {
        most = most.max(backlog.waiting());
        std::thread::yield_now();
    }
    assert!(backlog.behind());
    let waiter = {
        let backlog = backlog.clone();
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(backlog.caught_up())
        })
    };
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(2));
        most = most.max(backlog.waiting());
    }
    // The writer counts a message taken just after its `recv` returns, so the sender that
    // `recv` let through may count its own message a moment before: one over, never more.
    assert!((BOUND..=BOUND + 1).contains(&most), "the queue held {most}, more than its bound {BOUND}");
    assert!(!feeding.is_finished(), "the feeding side went on while the writer was held up");
    other.conn.execute_batch("COMMIT").unwrap();
    waiter.join().unwrap();
    let journal = feeding.join().unwrap();
    journal.flush().unwrap();
    assert!(!journal.failed());
    assert_eq!(backlog.waiting(), 0);
    let journaled: Vec<(i64, i64)> = {
        let mut stmt =
            other.conn.prepare("SELECT n, seq FROM journal WHERE session_id = ?1 ORDER BY n").unwrap();
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let expected: Vec<(i64, i64)> = (1..=CHATS as i64).map(|n| (n, n)).collect();
    assert!(journaled == expected, "{} rows journaled, not every chat once in order", journaled.len());
    journal.finish();
}

#[test]
fn rows_are_committed_within_the_batch_wait_without_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    journal.record(id, t(1), Item::Input(chat(1)));
    let store = Store::open(&path).unwrap();
    let count = || -> i64 { store.conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).unwrap() };
    let start = std::time::Instant::now();
    while count() == 0 {
        assert!(start.elapsed() < std::time::Duration::from_secs(2), "the row never arrived");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(journal.flush().is_ok() && !journal.failed());
}

#[test]
fn a_store_from_a_newer_livedesk_is_refused_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("newer livedesk") && err.contains("--no-store"), "{err}");
}

#[test]
fn a_second_desk_on_the_same_feed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = SourceLock::take(dir.path(), SOURCE).unwrap();
    let err = SourceLock::take(dir.path(), SOURCE).unwrap_err().to_string();
    assert!(err.contains("already running") && err.contains("--no-store"), "{err}");
    assert!(SourceLock::take(dir.path(), "ws://another.test/").is_ok());
    drop(first);
    assert!(SourceLock::take(dir.path(), SOURCE).is_ok());
}

/// One step of a random stream.
#[derive(Clone, Debug)]
pub(super) enum Step {
    Chat,
    Order { sku: usize, qty: u32, paid: bool },
    Update { back: usize, cancel: bool },
    Stock { sku: usize, available: u32 },
    Start(usize),
    Extend,
    End,
    Ack { back: usize },
    Tick,
    Drop,
    Viewers(u64),
}

pub(super) fn step() -> impl Strategy<Value = (Step, u16)> {
    let step = prop_oneof![
        4 => Just(Step::Chat),
        4 => (0..3usize, 1..4u32, any::<bool>()).prop_map(|(sku, qty, paid)| Step::Order { sku, qty, paid }),
        1 => (0..8usize, any::<bool>()).prop_map(|(back, cancel)| Step::Update { back, cancel }),
        1 => (0..3usize, 0..5u32).prop_map(|(sku, available)| Step::Stock { sku, available }),
        1 => (0..3usize).prop_map(Step::Start),
        1 => Just(Step::Extend),
        1 => Just(Step::End),
        1 => (0..4usize).prop_map(|back| Step::Ack { back }),
        4 => Just(Step::Tick),
        1 => Just(Step::Drop),
        // Enough viewers, now and then, for a silence to be a quiet spell.
        1 => (0..1000u64).prop_map(Step::Viewers),
    ];
    (step, 0..20_000u16)
}

const SKUS: [&str; 3] = ["ALMOND-PINK", "COFFIN-NUDE", "NAIL-GLUE-KIT"];
const SALES: [&str; 3] = ["almond-rush", "coffin-flash", "glue-bundle"];

/// Plays a random stream into `session`: its welcome, then the steps, acking the commands
/// it sent now and then.
pub(super) fn play_steps(
    session: &mut Session,
    commands: &mut mpsc::UnboundedReceiver<crate::protocol::Command>,
    steps: Vec<(Step, u16)>,
) {
    let mut at = 0i64;
    let (mut seq, mut orders, mut refs) = (0u64, 0usize, Vec::<String>::new());
    session.apply((welcome("s"), Some(t(0))));
    for (step, wait) in steps {
        at += i64::from(wait);
        let input = match step {
            Step::Chat => {
                seq += 1;
                chat(seq)
            }
            Step::Order { sku, qty, paid } => {
                seq += 1;
                orders += 1;
                let status = if paid { OrderStatus::Paid } else { OrderStatus::Placed };
                order(seq, &format!("o{orders}"), SKUS[sku], qty, status)
            }
            Step::Update { back, cancel } => {
                seq += 1;
                let status = if cancel { OrderStatus::Cancelled } else { OrderStatus::Refunded };
                frame(
                    seq,
                    Event::OrderUpdate { order_id: format!("o{}", orders.saturating_sub(back)), status },
                )
            }
            Step::Stock { sku, available } => {
                seq += 1;
                frame(seq, Event::Stock { sku: SKUS[sku].into(), available })
            }
            Step::Start(i) => Input::Operator(Action::StartSale { id: SALES[i].into() }),
            Step::Extend => Input::Operator(Action::ExtendSale { id: None, seconds: 5 }),
            Step::End => Input::Operator(Action::EndSale { id: None }),
            Step::Ack { back } => {
                refs.extend(
                    std::iter::from_fn(|| commands.try_recv().ok())
                        .filter_map(|c| c.reference().map(str::to_owned)),
                );
                let reference = refs.len().checked_sub(back + 1).map_or("none".into(), |i| refs[i].clone());
                frame(seq, Event::Ack { reference, ok: back % 2 == 0, error: None })
            }
            Step::Tick => Input::Tick,
            Step::Drop => Input::Link(LinkEvent::Disconnected { reason: "cut".into(), retry_in_ms: 500 }),
            Step::Viewers(count) => {
                seq += 1;
                frame(seq, Event::Viewers { count })
            }
        };
        session.apply((input, Some(t(at))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever happens, in whatever order: rebuilding from the journal gives the desk the
    /// live run had, and a second rebuild gives it again.
    #[test]
    fn any_stream_rebuilds_to_the_live_desk(steps in proptest::collection::vec(step(), 1..120)) {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let (mut session, mut commands, _) = stored_session(dir.path(), &config);
        play_steps(&mut session, &mut commands, steps);
        // The live desk's clock stopped at its last input; so does the rebuilt one's, unless
        // that input was an idle tick, which the journal rightly left out.
        let live = session.desk.clone();
        session.finish();
        let store = open_store(dir.path());
        let open = store.latest_open(SOURCE).unwrap().unwrap();
        let (mut first, mut second) = (fresh(&config), fresh(&config));
        store.rebuild(open.id, &mut first).unwrap();
        store.rebuild(open.id, &mut second).unwrap();
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(&first.clock_at(live.now()), &live);
    }
}
