use super::*;

use std::path::Path;
use std::sync::Mutex;

use tokio::sync::mpsc;

use crate::app::{Clock, Session};
use crate::config::{self, Config, EnvInfo, Paths};
use crate::desk::LinkEvent;
use crate::protocol::{Frame, SaleAction};

const SOURCE: &str = "ws://platform.test/feed";

fn config(dir: &Path) -> Config {
    let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
    config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads")
}

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_763_000_000_000 + ms).unwrap()
}

fn welcome() -> Input {
    let stream =
        StreamInfo { id: "s1".into(), title: "s1 live".into(), currency: "GBP".into(), ..Default::default() };
    Input::Feed(Frame {
        v: 1,
        seq: 0,
        ts: String::new(),
        event: Event::Welcome { stream, resumed: false, epoch: None },
    })
}

fn start_sale() -> Input {
    Input::Operator(Action::StartSale { id: "almond-rush".into() })
}

/// A journal kept in memory: rows wait uncommitted until the test commits them, and so
/// do the commands handed to it, as a real store's would wait for the disk.
#[derive(Clone, Default)]
struct InMemory(Arc<Mutex<Log>>);

#[derive(Default)]
struct Log {
    /// Each session's source and whether it ended; its id is its place, from 1.
    sessions: Vec<(String, bool)>,
    rows: Vec<(i64, DateTime<Utc>, Item)>,
    uncommitted: Vec<(i64, DateTime<Utc>, Item)>,
    held: Vec<(Vec<Command>, CommandSink)>,
    /// Whether the rows waiting need a sync (an operator action's).
    durable: bool,
}

impl Log {
    /// The last stream seq session `id` committed.
    fn last_seq(&self, id: i64) -> Option<u64> {
        self.rows.iter().rev().find_map(|(s, _, item)| match item {
            Item::Input(Input::Feed(f)) if *s == id && !f.event.is_connection_level() => Some(f.seq),
            _ => None,
        })
    }
}

impl InMemory {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap()
    }

    /// Commits what waits; then the commands held behind it leave, in order.
    fn commit(&self) {
        let mut log = self.log();
        let rows = std::mem::take(&mut log.uncommitted);
        log.rows.extend(rows);
        log.durable = false;
        for (commands, sink) in std::mem::take(&mut log.held) {
            for c in commands {
                sink.send(c).unwrap();
            }
        }
    }

    /// Every row, committed or not.
    fn items(&self) -> Vec<Item> {
        let log = self.log();
        log.rows.iter().chain(&log.uncommitted).map(|(_, _, item)| item.clone()).collect()
    }
}

impl Reader for InMemory {
    fn latest_open(&self, source: &str) -> anyhow::Result<Option<OpenSession>> {
        let log = self.log();
        let Some(id) = log.sessions.iter().rposition(|(s, ended)| s == source && !ended) else {
            return Ok(None);
        };
        let id = id as i64 + 1;
        Ok(Some(OpenSession { id, stream_id: Some("s1".into()), last_seq: log.last_seq(id) }))
    }

    fn session(&self, id: i64) -> anyhow::Result<Option<OpenSession>> {
        let log = self.log();
        let known = id >= 1 && (id as usize) <= log.sessions.len();
        Ok(known.then(|| OpenSession { id, stream_id: Some("s1".into()), last_seq: log.last_seq(id) }))
    }

    fn each_item(
        &self,
        id: i64,
        visit: &mut dyn FnMut(DateTime<Utc>, Item) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let rows: Vec<_> = self.log().rows.iter().filter(|(s, ..)| *s == id).cloned().collect();
        for (_, at, item) in rows {
            visit(at, item)?;
        }
        Ok(())
    }

    fn reply_uses(&self, _: Option<i64>) -> anyhow::Result<BTreeMap<String, u64>> {
        Ok(BTreeMap::new())
    }

    fn viewer_history(&self, _: &str, _: Option<i64>) -> anyhow::Result<History> {
        Ok(History::default())
    }

    fn examples(&self, _: Option<i64>) -> anyhow::Result<Vec<Example>> {
        Ok(Vec::new())
    }
}

impl Writer for InMemory {
    fn begin(&self, source: &str, _: DateTime<Utc>) -> anyhow::Result<i64> {
        let mut log = self.log();
        log.sessions.push((source.to_owned(), false));
        Ok(log.sessions.len() as i64)
    }

    fn record(&self, session: i64, at: DateTime<Utc>, item: Item) {
        self.log().uncommitted.push((session, at, item));
    }

    fn record_durably_then_send(
        &self,
        session: i64,
        at: DateTime<Utc>,
        items: Vec<Item>,
        commands: Vec<Command>,
        sink: &CommandSink,
    ) {
        let mut log = self.log();
        log.uncommitted.extend(items.into_iter().map(|item| (session, at, item)));
        log.durable = true;
        log.held.push((commands, sink.clone()));
    }

    fn send_in_turn(&self, commands: Vec<Command>, sink: &CommandSink) {
        self.log().held.push((commands, sink.clone()));
    }

    fn set_stream(&self, _: i64, _: &StreamInfo) {}

    fn figures(&self, _: i64, _: u64, _: &BTreeMap<String, Decimal>) {}

    fn viewer(&self, _: i64, _: ViewerRow) {}

    fn example(&self, _: i64, _: DateTime<Utc>, _: Example) {}

    fn close(&self, session: i64, _: DateTime<Utc>) {
        self.log().sessions[session as usize - 1].1 = true;
    }

    fn failed(&self) -> bool {
        false
    }

    fn backlog(&self) -> Backlog {
        Backlog::new(1024)
    }

    fn finish(self: Box<Self>) {
        self.commit();
    }
}

/// A session journaling into `journal`, resuming what it holds, its commands going to a
/// channel.
fn session_on(config: &Config, journal: &InMemory) -> (Session, mpsc::UnboundedReceiver<Command>) {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    session.attach_store(journal, journal.clone(), SOURCE, Resume::Unfinished).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    session.connect_commands(tx);
    (session, rx)
}

#[test]
fn an_operators_command_waits_until_the_action_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let journal = InMemory::default();
    let (mut session, mut commands) = session_on(&config, &journal);
    session.apply((welcome(), Some(t(0))));
    journal.commit();
    session.apply((start_sale(), Some(t(10))));
    assert!(commands.try_recv().is_err(), "the sale's start left before its action was on disk");
    assert!(journal.log().durable, "an operator action asks for a sync");
    assert!(journal.items().contains(&Item::Input(start_sale())));
    journal.commit();
    let sent: Vec<_> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
    assert!(
        matches!(&sent[0], Command::FlashSale { action: SaleAction::Start, .. }),
        "once durable, the start goes: {sent:?}"
    );
}

#[test]
fn a_command_the_clock_made_waits_for_its_tick_to_be_committed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let journal = InMemory::default();
    let (mut session, mut commands) = session_on(&config, &journal);
    session.apply((welcome(), Some(t(0))));
    session.apply((start_sale(), Some(t(10))));
    journal.commit();
    while commands.try_recv().is_ok() {}
    let rows = journal.items().len();
    session.apply((Input::Tick, Some(t(20))));
    assert_eq!(journal.items().len(), rows, "a tick that changed nothing is not journaled");
    // The sale's two minutes run out on this tick: it ends, and the platform is told.
    session.apply((Input::Tick, Some(t(10 + 120_001))));
    assert!(journal.items().contains(&Item::Input(Input::Tick)), "the tick that ended the sale is kept");
    assert!(commands.try_recv().is_err(), "the sale's end left before its tick was committed");
    assert!(!journal.log().durable, "feed and clock input is committed, not synced one by one");
    journal.commit();
    let sent: Vec<_> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
    assert!(sent.iter().any(|c| matches!(c, Command::FlashSale { action: SaleAction::End, .. })), "{sent:?}");
}

#[test]
fn a_rebuilt_stream_is_not_journaled_twice_and_its_unanswered_commands_go_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let journal = InMemory::default();
    let (mut session, mut commands) = session_on(&config, &journal);
    session.apply((welcome(), Some(t(0))));
    session.apply((start_sale(), Some(t(10))));
    journal.commit();
    let first: Vec<_> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
    let live = session.desk.summary();
    let before = journal.items();
    drop(session); // a crash: no finish

    let (again, mut commands) = session_on(&config, &journal);
    let now = again.desk.summary();
    assert_eq!(
        (now.events_applied, now.stock),
        (live.events_applied, live.stock),
        "the journal gives the live desk"
    );
    let after = journal.items();
    assert_eq!(after[..before.len()], before[..]);
    // Only the new run and the notice of the rebuild are added (with what the notice's
    // clock made: the sale ran out while the desk was down), no input of the stream again.
    let added = &after[before.len()..];
    assert!(
        matches!(added, [Item::Run { .. }, Item::Input(Input::Link(LinkEvent::Notice { .. })), ..]),
        "{added:?}"
    );
    assert!(added[2..].iter().all(|i| matches!(i, Item::Output(_))), "{added:?}");
    // Neither command was acked: they go again with their own refs, first thing.
    let resent: Vec<_> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
    assert_eq!(resent[..first.len()], first[..], "{resent:?}");
}

#[test]
fn commands_made_before_the_feed_connects_go_first_once_it_does_but_a_replays_go_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let journal = InMemory::default();
    let mut session = Session::new(&config, "platform.test".into(), false, Clock::wall());
    session.attach_store(&journal, journal.clone(), SOURCE, Resume::Unfinished).unwrap();
    session.apply((welcome(), Some(t(0))));
    session.apply((start_sale(), Some(t(10))));
    assert_eq!(session.desk.pending().len(), 2, "the start and its announcement wait for an ack");
    let (tx, mut commands) = mpsc::unbounded_channel();
    session.connect_commands(tx);
    assert_eq!(std::iter::from_fn(|| commands.try_recv().ok()).count(), 2);

    let journal = InMemory::default();
    let mut replay = Session::replay(&config, "platform.test".into(), Clock::wall());
    replay.attach_store(&journal, journal.clone(), SOURCE, Resume::Fresh).unwrap();
    replay.apply((welcome(), Some(t(0))));
    replay.apply((start_sale(), Some(t(10))));
    assert!(replay.desk.pending().is_empty(), "no platform answers a replay");
    assert_eq!(replay.desk.counters().commands_sent, 2);
    let (tx, mut commands) = mpsc::unbounded_channel();
    replay.connect_commands(tx);
    assert!(commands.try_recv().is_err(), "a replay's commands are not kept to send");
    assert!(journal.items().iter().any(|i| matches!(i, Item::Output(_))), "but they are journaled");
}

#[test]
fn the_demo_replayed_with_a_store_and_without_ends_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/flash-friday.jsonl");
    let mut storeless = Session::replay(&config, "flash-friday.jsonl".into(), Clock::wall());
    crate::replay::run_file(&mut storeless, &demo).unwrap();

    let path = super::super::path_in(&dir.path().join("state"));
    let store = Store::open(&path).unwrap();
    let mut stored = Session::replay(&config, "flash-friday.jsonl".into(), Clock::wall());
    stored.attach_store(&store, Journal::start(&path).unwrap(), "replay", Resume::Fresh).unwrap();
    crate::replay::run_file(&mut stored, &demo).unwrap();
    stored.finish();

    let (a, b) = (&storeless.desk, &stored.desk);
    assert!(a.counters().commands_sent > 0, "the demo sends commands");
    assert_eq!(serde_json::to_string(&a.summary()).unwrap(), serde_json::to_string(&b.summary()).unwrap());
    assert_eq!(a.pending(), b.pending());
    assert!(b.pending().is_empty(), "nothing waits for an ack after a replay");
    let texts = |d: &Desk| d.notices().map(|n| n.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(a), texts(b));
    let kinds: i64 =
        store.conn.query_row("SELECT COUNT(*) FROM journal WHERE kind = 'output'", [], |r| r.get(0)).unwrap();
    assert_eq!(kinds as u64, b.counters().commands_sent, "every command the replay made is journaled");
}

#[test]
fn a_console_taking_over_a_stream_that_ended_keeps_it_on_screen_and_begins_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let journal = InMemory::default();
    let (mut holder, _commands) = session_on(&config, &journal);
    holder.apply((welcome(), Some(t(0))));
    holder.apply((start_sale(), Some(t(10))));
    let ended = Event::Stream { state: crate::protocol::StreamState::Ended };
    holder.apply((Input::Feed(Frame { v: 1, seq: 7, ts: String::new(), event: ended }), Some(t(20))));
    journal.commit();
    let live = holder.desk.summary();
    drop(holder); // killed after the stream's end
    assert_eq!(journal.log().sessions, vec![(SOURCE.to_owned(), true)], "the end closed the session");

    // A restart after the end begins a new session on a fresh desk...
    let mut restart = Session::new(&config, "platform.test".into(), false, Clock::wall());
    let point =
        restart.attach_store(&journal.clone(), InMemory::default(), SOURCE, Resume::Unfinished).unwrap();
    assert_eq!((point, restart.desk.ended()), (ResumePoint::default(), false));

    // ...but the console that followed session 1 goes on with it, ended, where it stopped.
    let mut taker = Session::new(&config, "platform.test".into(), false, Clock::wall());
    let point = taker.attach_store(&journal, journal.clone(), SOURCE, Resume::Followed(1)).unwrap();
    assert_eq!(point, ResumePoint { after: Some(7), stream: Some("s1".into()) });
    let now = taker.desk.summary();
    assert!(taker.desk.ended(), "the ended stream stays ended on screen");
    assert_eq!((now.events_applied, now.stock), (live.events_applied, live.stock), "the journal's desk");
    assert_eq!(journal.log().sessions.len(), 1, "no new session begins for a stream that is over");
    taker.apply((Input::Tick, Some(t(30))));
    assert_eq!(journal.log().sessions, vec![(SOURCE.to_owned(), true)], "and it is not closed twice");
}
