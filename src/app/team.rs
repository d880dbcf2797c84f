//! The team desk's side of a run: several consoles on one feed and one PostgreSQL store.
//!
//! One console holds the feed (the lease in the store): it dials the platform, journals and
//! sends, as a lone console does, and also applies the actions the other consoles ask for,
//! in the order the database gave them. Every other console follows: it reads the journal
//! from where it left off (a notification wakes it; it always reads the table, so a console
//! that was away misses nothing) and applies each row to its own desk, and its operator's
//! actions become requests. When the holder's lease runs out (it died, or lost the network),
//! a follower takes it, rebuilds from the journal as a restart does, and goes on with the
//! feed after the last journaled event; unanswered commands go again with their refs.
//!
//! The store's driver is synchronous: each of these loops is a plain thread with its own
//! connection, and speaks to the app through channels.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::{Session, Stamped};
use crate::desk::{Action, Input, Level, LinkEvent};
use crate::feed::ws::FeedOptions;
use crate::store::Item;
use crate::store::journaling::{self, Journaling, Resume, Start};
use crate::store::postgres::team::{self, REQUEST_CHANNEL, Roster};
use crate::store::postgres::{Fence, JOURNAL_CHANNEL, PgStore, Target, off_runtime};

/// How often the lease is renewed, taken when free, and who is on is looked at.
const BEAT: Duration = Duration::from_secs(1);
/// Longest a loop sleeps between two looks at its table when nothing wakes it.
const WAKE: Duration = Duration::from_millis(250);
/// Journal rows read per round trip.
const PAGE: i64 = 5_000;

/// Who this console is on the team.
#[derive(Clone, Debug)]
pub struct Member {
    /// This run's own id (the lease and the roster name consoles by it).
    pub console: String,
    pub operator: String,
    /// The feed's address: the lease is per feed.
    pub source: String,
    /// Looks but never acts, nor takes the feed.
    pub watch: bool,
}

/// What the team's threads tell the app.
#[derive(Debug)]
pub enum News {
    /// The open session of the feed this console follows (found once the holder began it).
    Joined { session: i64 },
    /// Journal rows after the last ones read, in order.
    Rows(Vec<(i64, DateTime<Utc>, Item)>),
    /// This console took the feed's lease: it holds the feed now.
    Won,
    /// Another console holds the feed's lease now, or it could not be renewed in time.
    Lost,
    /// Who is on, and who holds the feed.
    Roster(Roster),
    /// Something went wrong that the operator should hear of.
    Trouble(String),
}

/// The team threads of one console.
pub struct Team {
    pub member: Member,
    target: Target,
    news: mpsc::UnboundedSender<News>,
    /// Whether this console holds the lease (the heartbeat renews it then, else tries to take it).
    holding: Arc<AtomicBool>,
    /// Where this console's operator is (the pane in focus), for the roster.
    place: Arc<Mutex<String>>,
    requests: std::sync::mpsc::Sender<(i64, Action)>,
    tail: Option<Arc<AtomicBool>>,
    intake: Option<Arc<AtomicBool>>,
    stopped: Arc<AtomicBool>,
}

impl Team {
    /// Starts the heartbeat (lease, roster) and the request sender of `member` on `target`.
    pub fn start(member: Member, target: Target) -> (Team, mpsc::UnboundedReceiver<News>) {
        let (news, rx) = mpsc::unbounded_channel();
        let (requests, requests_rx) = std::sync::mpsc::channel();
        let place = Arc::new(Mutex::new(if member.watch { "watching" } else { "chat" }.to_owned()));
        let team = Team {
            member,
            target,
            news,
            holding: Arc::new(AtomicBool::new(false)),
            place,
            requests,
            tail: None,
            intake: None,
            stopped: Arc::new(AtomicBool::new(false)),
        };
        team.spawn_heartbeat();
        team.spawn_requests(requests_rx);
        (team, rx)
    }

    /// Tries to take the feed's lease now, once; says whether this console holds it.
    pub fn try_lead(&self) -> anyhow::Result<bool> {
        if self.member.watch {
            return Ok(false);
        }
        let (target, m) = (self.target.clone(), self.member.clone());
        let won = off_runtime(move || {
            team::take_lease(&mut target.connect()?, &m.source, &m.console, &m.operator)
        })?;
        self.holding.store(won, Ordering::SeqCst);
        Ok(won)
    }

    /// Marks this console as the holder (after [`News::Won`]) or not (after [`News::Lost`]).
    pub fn set_holding(&self, holding: bool) {
        self.holding.store(holding, Ordering::SeqCst);
    }

    /// Where this console's operator is now (the pane in focus).
    pub fn set_place(&self, place: &str) {
        if !self.member.watch
            && let Ok(mut p) = self.place.lock()
            && *p != place
        {
            place.clone_into(&mut p);
        }
    }

    /// Asks the feed holder to apply `action`, as this console's operator, on `session`.
    pub fn request(&self, session: i64, action: Action) {
        let _ = self.requests.send((session, action));
    }

    /// Reads the journal of the feed's open session (once there is one) from row `after` on,
    /// and goes on reading as rows come.
    pub fn follow(&mut self, after: Option<(i64, i64)>) {
        self.stop_tail();
        let stop = Arc::new(AtomicBool::new(false));
        self.tail = Some(stop.clone());
        let (target, source, news) = (self.target.clone(), self.member.source.clone(), self.news.clone());
        std::thread::spawn(move || {
            if let Err(e) = tail(&target, &source, after, &stop, &news) {
                let _ = news.send(News::Trouble(format!("Cannot follow the team's journal: {e:#}")));
            }
        });
    }

    /// Stops reading the journal (this console is about to hold the feed).
    pub fn stop_tail(&mut self) {
        if let Some(stop) = self.tail.take() {
            stop.store(true, Ordering::SeqCst);
        }
    }

    /// Feeds the other consoles' requests on `session` into `tx`, as the inputs the holder
    /// applies (each once: the journal keeps its request's id).
    pub fn take_requests(&mut self, session: i64, tx: mpsc::Sender<Stamped>) {
        self.stop_intake();
        let stop = Arc::new(AtomicBool::new(false));
        self.intake = Some(stop.clone());
        let (target, news) = (self.target.clone(), self.news.clone());
        std::thread::spawn(move || {
            if let Err(e) = intake(&target, session, &stop, &tx) {
                let _ = news.send(News::Trouble(format!("Cannot take the team's requests: {e:#}")));
            }
        });
    }

    /// Stops taking requests (this console lost the feed).
    pub fn stop_intake(&mut self) {
        if let Some(stop) = self.intake.take() {
            stop.store(true, Ordering::SeqCst);
        }
    }

    /// Leaves the team: the lease is given up at once, so another console takes the feed
    /// without waiting for it to run out.
    pub fn leave(&mut self) {
        self.stop_tail();
        self.stop_intake();
        self.stopped.store(true, Ordering::SeqCst);
        let (target, m, holding) =
            (self.target.clone(), self.member.clone(), self.holding.load(Ordering::SeqCst));
        let left = off_runtime(move || -> anyhow::Result<()> {
            let mut c = target.connect()?;
            if holding {
                team::release_lease(&mut c, &m.source, &m.console)?;
            }
            team::gone(&mut c, &m.console)
        });
        if let Err(e) = left {
            tracing::warn!("cannot leave the team cleanly: {e:#}");
        }
    }

    fn spawn_heartbeat(&self) {
        let (target, m, news) = (self.target.clone(), self.member.clone(), self.news.clone());
        let (holding, place, stopped) = (self.holding.clone(), self.place.clone(), self.stopped.clone());
        std::thread::spawn(move || {
            let mut client = None;
            let mut shown = None;
            // The last time this console's lease was renewed: once it has run out unrenewed,
            // another console may hold the feed, and this one must let it go.
            let mut renewed = std::time::Instant::now();
            let lease = Duration::from_secs(u64::from(team::LEASE_SECONDS.unsigned_abs()));
            while !stopped.load(Ordering::SeqCst) {
                let mut beat = || -> anyhow::Result<Roster> {
                    let c = match &mut client {
                        Some(c) => c,
                        None => client.insert(target.connect()?),
                    };
                    let here = place.lock().map(|p| p.clone()).unwrap_or_default();
                    team::seen(c, &m.console, &m.source, &m.operator, &here)?;
                    if holding.load(Ordering::SeqCst) {
                        if team::renew_lease(c, &m.source, &m.console)? {
                            renewed = std::time::Instant::now();
                        } else {
                            holding.store(false, Ordering::SeqCst);
                            let _ = news.send(News::Lost);
                        }
                    } else if !m.watch && team::take_lease(c, &m.source, &m.console, &m.operator)? {
                        renewed = std::time::Instant::now();
                        holding.store(true, Ordering::SeqCst);
                        let _ = news.send(News::Won);
                    }
                    team::roster(c, &m.source)
                };
                match beat() {
                    Ok(roster) if shown.as_ref() != Some(&roster) => {
                        shown = Some(roster.clone());
                        let _ = news.send(News::Roster(roster));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("team heartbeat: {e:#}");
                        if holding.load(Ordering::SeqCst) && renewed.elapsed() >= lease {
                            holding.store(false, Ordering::SeqCst);
                            let _ = news.send(News::Lost);
                        }
                        client = None;
                        shown = None;
                        let _ =
                            news.send(News::Trouble(format!("The team's store cannot be reached: {e:#}")));
                    }
                }
                std::thread::sleep(BEAT);
            }
        });
    }

    fn spawn_requests(&self, rx: std::sync::mpsc::Receiver<(i64, Action)>) {
        let (target, operator, news) = (self.target.clone(), self.member.operator.clone(), self.news.clone());
        std::thread::spawn(move || {
            let mut client = None;
            for (session, action) in rx {
                let mut sent = || -> anyhow::Result<i64> {
                    let c = match &mut client {
                        Some(c) => c,
                        None => client.insert(target.connect()?),
                    };
                    team::request(c, session, &operator, &action)
                };
                if let Err(e) = sent() {
                    client = None;
                    let _ = news
                        .send(News::Trouble(format!("Not done: the feed holder cannot be asked ({e:#})")));
                }
            }
        });
    }
}

/// Follows the feed's open session: waits for one, then reads its rows from `after` on, and
/// moves to the next session of the feed (a new stream) once this one's rows are all read.
fn tail(
    target: &Target,
    source: &str,
    after: Option<(i64, i64)>,
    stop: &AtomicBool,
    news: &mpsc::UnboundedSender<News>,
) -> anyhow::Result<()> {
    let mut c = target.connect()?;
    c.batch_execute(&format!("LISTEN {JOURNAL_CHANNEL}"))?;
    let (mut session, mut last) = match after {
        Some(at) => at,
        None => loop {
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let open = c.query_opt(
                "SELECT id FROM sessions WHERE source = $1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
                &[&source],
            )?;
            if let Some(row) = open {
                let session: i64 = row.get(0);
                if news.send(News::Joined { session }).is_err() {
                    return Ok(());
                }
                break (session, 0);
            }
            wait(&mut c, WAKE)?;
        },
    };
    // A session begun after this one, seen before the last read: the holder began it in
    // the transaction that committed this one's last rows, so that read had them all.
    let mut next = None;
    while !stop.load(Ordering::SeqCst) {
        let rows = team::rows_after(&mut c, session, last, PAGE)?;
        let (full, empty) = (rows.len() as i64 == PAGE, rows.is_empty());
        if let Some((n, ..)) = rows.last() {
            last = *n;
            if news.send(News::Rows(rows)).is_err() {
                return Ok(());
            }
        }
        if empty {
            if let Some(new) = next.take() {
                if news.send(News::Joined { session: new }).is_err() {
                    return Ok(());
                }
                (session, last) = (new, 0);
                continue;
            }
            next = team::next_session(&mut c, source, session)?;
            if next.is_some() {
                continue;
            }
        }
        if !full {
            wait(&mut c, WAKE)?;
        }
    }
    Ok(())
}

/// Takes the other consoles' requests on `session` into the holder's inputs.
fn intake(
    target: &Target,
    session: i64,
    stop: &AtomicBool,
    tx: &mpsc::Sender<Stamped>,
) -> anyhow::Result<()> {
    let mut c = target.connect()?;
    c.batch_execute(&format!("LISTEN {REQUEST_CHANNEL}"))?;
    // Taken here but perhaps not yet journaled: never taken twice.
    let mut taken = HashSet::new();
    while !stop.load(Ordering::SeqCst) {
        for hand in team::pending(&mut c, session)? {
            let Some(id) = hand.request else { continue };
            if taken.insert(id) && tx.blocking_send((Input::Hand(hand), None)).is_err() {
                return Ok(());
            }
        }
        wait(&mut c, WAKE)?;
    }
    Ok(())
}

/// Waits for a notification on the connection's channels, at most `most`.
fn wait(c: &mut postgres::Client, most: Duration) -> anyhow::Result<()> {
    use fallible_iterator::FallibleIterator;
    let mut notes = c.notifications();
    if notes.timeout_iter(most).next()?.is_some() {
        // Others that came together are read by the same look at the table.
        while notes.iter().next()?.is_some() {}
    }
    Ok(())
}

/// A console's place on the team desk: its threads, the store, and how to dial the feed
/// when it comes to hold it.
pub struct Seat {
    team: Team,
    store: Arc<PgStore>,
    /// How to dial the feed (the resume point is the journal's, filled in on taking it).
    feed: FeedOptions,
    /// Where the feed's inputs (and the requests the holder takes) go.
    inputs: mpsc::Sender<Stamped>,
    holds: bool,
    /// The session followed, and its last row applied.
    session: Option<i64>,
    last_row: i64,
    roster: Roster,
    /// The feed client's tasks while this console holds the feed.
    feed_tasks: Vec<tokio::task::AbortHandle>,
    /// What the team's threads say, until the run loop takes it.
    news: Option<mpsc::UnboundedReceiver<News>>,
}

impl Seat {
    /// A seat for `team` (and what its threads say) on `store`, dialing `feed` into `inputs` when it holds the feed.
    pub fn new(
        (team, news): (Team, mpsc::UnboundedReceiver<News>),
        store: Arc<PgStore>,
        feed: FeedOptions,
        inputs: mpsc::Sender<Stamped>,
    ) -> Seat {
        Seat {
            news: Some(news),
            team,
            store,
            feed,
            inputs,
            holds: false,
            session: None,
            last_row: 0,
            roster: Roster::default(),
            feed_tasks: Vec::new(),
        }
    }

    /// Whether this console holds the feed now.
    pub fn holds_feed(&self) -> bool {
        self.holds
    }

    /// Asks the feed holder to apply `action`; what to tell the operator when it cannot be.
    pub fn ask(&self, action: Action) -> Option<String> {
        if self.team.member.watch {
            return Some("This console only watches (--watch): it cannot act".into());
        }
        match self.session {
            Some(session) => {
                self.team.request(session, action);
                None
            }
            None => Some("Not done: the feed holder has not begun the stream yet".into()),
        }
    }

    /// The status bar's team line: who holds the feed, and where each operator is.
    pub fn line(&self) -> String {
        let holder = match &self.roster.holder {
            Some((op, console)) if *console == self.team.member.console => format!("feed: {op} (here)"),
            Some((op, _)) => format!("feed: {op}"),
            None => "feed: no one (taking over…)".to_owned(),
        };
        let on: Vec<String> = self.roster.on.iter().map(|(op, place)| format!("{op}: {place}")).collect();
        if on.is_empty() { holder } else { format!("{holder} · {}", on.join(" · ")) }
    }
}

impl Session {
    /// Takes this console's seat on the team desk: it holds the feed if no console does,
    /// else it follows the journal of the one that does.
    pub fn join_team(&mut self, mut seat: Seat) -> anyhow::Result<()> {
        let lead = seat.team.try_lead()?;
        let operator = seat.team.member.operator.clone();
        self.set_operator(operator);
        if lead {
            self.seat = Some(seat);
            self.lead(Resume::Unfinished)
        } else {
            seat.team.follow(None);
            self.seat = Some(seat);
            let text = "Following the team's desk: another console holds the feed".to_owned();
            self.notice(Level::Info, text);
            Ok(())
        }
    }

    /// Whether this console follows a team's journal (it holds no feed).
    pub(super) fn following(&self) -> bool {
        self.seat.as_ref().is_some_and(|s| !s.holds)
    }

    /// What the team's threads say, for the run loop (once).
    pub fn take_news(&mut self) -> Option<mpsc::UnboundedReceiver<News>> {
        self.seat.as_mut().and_then(|s| s.news.take())
    }

    /// The status bar's team line, on a team desk.
    pub fn team_line(&self) -> Option<String> {
        self.seat.as_ref().map(Seat::line)
    }

    /// Where this console's operator is now (the pane in focus), for the others to see.
    pub fn set_place(&self, place: &str) {
        if let Some(seat) = &self.seat {
            seat.team.set_place(place);
        }
    }

    /// What the team's threads said.
    pub fn on_team(&mut self, news: News) {
        let now = self.now();
        let Some(seat) = &mut self.seat else { return };
        if seat.holds && matches!(news, News::Joined { .. } | News::Rows(_)) {
            // Read by the journal's reader before this console took the feed: its desk is
            // the journal's own now.
            return;
        }
        match news {
            News::Joined { session } => {
                let another = seat.session.replace(session).is_some();
                seat.last_row = 0;
                let store = seat.store.clone();
                let source = seat.team.member.source.clone();
                let start = Start { setup: &mut self.setup, memory: &mut self.memory };
                match journaling::follow(&*store, &source, session, start) {
                    Ok(desk) => {
                        self.desk = desk;
                        if another {
                            let text = "A new stream on the feed: the desk follows it from its start".into();
                            self.desk.apply(Input::Link(LinkEvent::Notice { level: Level::Warn, text }), now);
                        }
                    }
                    Err(e) => self.notice(Level::Error, format!("Cannot follow the team's desk: {e:#}")),
                }
            }
            News::Rows(rows) => {
                for (n, at, item) in rows {
                    seat.last_row = n;
                    match item {
                        Item::Input(input) => {
                            self.desk.apply(input, at);
                        }
                        Item::Run { ref_prefix } => self.desk.renew_refs(ref_prefix),
                        Item::Output(_) => {}
                    }
                }
            }
            News::Won if !seat.holds => {
                seat.team.stop_tail();
                // The stream this console followed goes on here, even one that has ended.
                let resume = seat.session.map_or(Resume::Unfinished, Resume::Followed);
                if let Err(e) = self.lead(resume) {
                    self.notice(Level::Error, format!("Cannot take the feed over: {e:#}"));
                }
            }
            News::Won => {}
            News::Lost if seat.holds => self.step_down(),
            News::Lost => {}
            News::Roster(roster) => seat.roster = roster,
            News::Trouble(text) => self.notice(Level::Error, text),
        }
    }

    /// Holds the feed: rebuilds the session `resume` picks from the journal (a takeover is a
    /// restart), journals under the lease, dials the feed after the last journaled event, and
    /// takes the other consoles' requests.
    fn lead(&mut self, resume: Resume) -> anyhow::Result<()> {
        let seat = self.seat.as_mut().expect("a team console has a seat");
        seat.holds = true;
        seat.team.set_holding(true);
        let store = seat.store.clone();
        let member = seat.team.member.clone();
        let fence = Fence { source: member.source.clone(), console: member.console.clone() };
        let journal = store.fenced_journal(fence)?;
        let point = self.attach_store(&*store, journal, &member.source, resume)?;
        let seat = self.seat.as_mut().expect("a team console has a seat");
        let session = self.journal.as_ref().map(Journaling::session);
        seat.session = session;
        let mut opts = seat.feed.clone();
        opts.resume_after = point.after;
        opts.resume_stream = point.stream;
        let inputs = seat.inputs.clone();
        if let Some(session) = session {
            seat.team.take_requests(session, inputs.clone());
        }
        let tasks = super::spawn_socket_feed(opts, inputs, self);
        let seat = self.seat.as_mut().expect("a team console has a seat");
        seat.feed_tasks = tasks;
        self.notice(Level::Info, format!("This console holds the feed now ({})", member.operator));
        Ok(())
    }

    /// The feed brought another stream and the journal began its session: the other
    /// consoles' requests are taken for that one now.
    pub(super) fn on_new_session(&mut self) {
        let session = self.journal.as_ref().map(Journaling::session);
        let Some(seat) = self.seat.as_mut().filter(|s| s.holds) else { return };
        seat.session = session;
        if let Some(session) = session {
            seat.team.take_requests(session, seat.inputs.clone());
        }
    }

    /// Another console holds the feed now: this one stops dialing, journaling and sending,
    /// and follows the journal from its start.
    fn step_down(&mut self) {
        let now = self.now();
        let Some(seat) = &mut self.seat else { return };
        seat.holds = false;
        seat.team.stop_intake();
        for task in seat.feed_tasks.drain(..) {
            task.abort();
        }
        seat.team.follow(None);
        self.commands = None;
        if let Some(journal) = self.journal.take() {
            journal.finish(now);
        }
        self.notice(Level::Warn, "Another console holds the feed now: this one follows it".into());
    }

    /// Leaves the team (on quit): the lease goes at once, so another console takes the feed.
    pub fn leave_team(&mut self) {
        if let Some(seat) = &mut self.seat {
            for task in seat.feed_tasks.drain(..) {
                task.abort();
            }
            seat.team.leave();
        }
    }

    fn notice(&mut self, level: Level, text: String) {
        let now = self.now();
        if self.following() {
            // Not journaled: a follower's desk changes by the journal only, and a notice is
            // this screen's alone.
            self.desk.apply(Input::Link(LinkEvent::Notice { level, text }), now);
        } else {
            self.apply_at(Input::Link(LinkEvent::Notice { level, text }), now);
        }
    }
}
