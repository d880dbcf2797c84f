//! The triage corpus played through the real desk for suggestions and claims: each stream of
//! a split on a fresh desk of the demo shop, with the product on screen and its flash sale
//! put in the state each comment's labels say, and the desk's reading of every comment.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use livedesk::config::{EnvInfo, Paths};
use livedesk::desk::catalog::Adjust;
use livedesk::desk::sales::SaleState;
use livedesk::desk::{Action, Desk, DeskSetup, Input};
use livedesk::protocol::{Event, Frame, User};

/// One labelled comment: the columns suggestions and claims are measured on.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub split: String,
    pub stream: String,
    /// Seconds from the stream's start.
    pub at: i64,
    pub viewer: String,
    pub region: Option<String>,
    pub lang: String,
    pub screen: Option<String>,
    pub sale: String,
    /// `SKU/variant/qty`, or `None`.
    pub claim: Option<String>,
    /// The reply id, `id:SKU` when it must quote a product other than the one on screen.
    pub reply: Option<String>,
    pub text: String,
}

/// A split's comments, in stream order.
pub fn read_split(split: &str) -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/triage/{split}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap();
    let opt = |s: &str| (s != "-").then(|| s.to_owned());
    text.lines()
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            // `outside` lines add the source they are quoted from.
            let width = if split == "outside" { 14 } else { 13 };
            assert_eq!(c.len(), width, "{}: {line}", path.display());
            let (m, s) = c[2].split_once(':').unwrap();
            Labelled {
                split: c[0].into(),
                stream: c[1].into(),
                at: m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap(),
                viewer: c[3].into(),
                region: opt(c[4]),
                lang: c[5].into(),
                screen: opt(c[6]),
                sale: c[7].into(),
                claim: opt(c[10]),
                reply: opt(c[11]),
                text: c[12].into(),
            }
        })
        .collect()
}

/// What the desk made of a comment.
#[derive(Clone, Debug)]
pub struct Read {
    /// The suggested reply's id, and its text as it would be sent.
    pub reply: Option<String>,
    pub reply_text: Option<String>,
    /// `SKU/-/qty` of the claim read, if any.
    pub claim: Option<String>,
    /// Why the reply was suggested, as the explain file says it.
    pub reasons: Vec<String>,
}

/// The demo shop's desk, as a new user gets it.
fn demo_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
    let config = livedesk::config::load(&paths, &EnvInfo::default()).unwrap();
    Desk::new(DeskSetup {
        shop: config.shop,
        scrollback: 100_000,
        ref_prefix: "q".into(),
        source: "corpus".into(),
        demo: true,
        reply_uses: BTreeMap::new(),
        history: Default::default(),
        replay: false,
    })
}

/// Plays comments (of one or more streams, in order) through fresh desks, one a stream.
pub fn play(comments: &[Labelled]) -> Vec<Read> {
    let mut out = Vec::with_capacity(comments.len());
    let mut stream = String::new();
    let mut driver = None;
    for (i, c) in comments.iter().enumerate() {
        if c.stream != stream {
            stream = c.stream.clone();
            driver = Some(Driver::new());
        }
        let d = driver.as_mut().unwrap();
        out.push(d.say(i, c));
    }
    out
}

/// One stream's desk and the clock it runs on.
struct Driver {
    desk: Desk,
    start: DateTime<Utc>,
    /// Time added to the script's, for preheats waited out.
    offset: Duration,
}

impl Driver {
    fn new() -> Self {
        let start = DateTime::from_timestamp(1_763_000_000, 0).unwrap();
        Driver { desk: demo_desk(), start, offset: Duration::zero() }
    }

    fn act(&mut self, action: Action, at: DateTime<Utc>) {
        self.desk.apply(Input::Operator(action), at);
    }

    /// The sale of `sku` in the plan.
    fn sale_of(&self, sku: &str) -> Option<(String, &'static str)> {
        let s = self.desk.sales().all().iter().find(|s| s.spec.sku == sku)?;
        Some((s.spec.id.clone(), s.state.name()))
    }

    /// Puts the product on screen and its sale in the state the labels say.
    fn stage(&mut self, c: &Labelled, at: DateTime<Utc>) {
        let want = c.sale.as_str();
        let screen = c.screen.clone();
        // Other products' sales stop while this one is on screen.
        let others: Vec<String> = self
            .desk
            .sales()
            .running()
            .filter(|s| Some(&s.spec.sku) != screen.as_ref() || want == "-")
            .map(|s| s.spec.id.clone())
            .collect();
        for id in others {
            self.act(Action::EndSale { id: Some(id) }, at);
        }
        if self.desk.pinned() != screen.as_deref() {
            self.act(Action::PinProduct { sku: screen.clone() }, at);
        }
        let Some(sku) = screen else { return };
        let Some((id, state)) = self.sale_of(&sku) else { return };
        match (want, state) {
            ("live", "live") | ("preheat", "preheat") | ("-", _) => {}
            ("live", _) | ("preheat", _) => {
                if self.desk.catalog().product(&sku).is_some_and(|p| p.available == 0) {
                    let change = Adjust::Set(50);
                    self.act(Action::AdjustStock { sku: sku.clone(), change, reason: "corpus".into() }, at);
                }
                if state != "preheat" {
                    self.act(Action::StartSale { id: id.clone() }, at);
                }
                if want == "live" && self.sale_of(&sku).is_some_and(|(_, s)| s == "preheat") {
                    let preheat = self.desk.sales().get(&id).and_then(|s| s.spec.preheat).unwrap_or(0);
                    self.offset += Duration::seconds(i64::from(preheat) + 1);
                    self.desk.apply(Input::Tick, at + Duration::seconds(i64::from(preheat) + 1));
                }
                // Long enough for the comments about it.
                self.act(Action::ExtendSale { id: Some(id), seconds: 3600 }, self.now_at(at));
            }
            ("sold-out", "live") => {
                let change = Adjust::Set(0);
                self.act(Action::AdjustStock { sku, change, reason: "corpus".into() }, at);
            }
            ("ended", "live") | ("ended", "preheat") | ("ended", "paused") => {
                self.act(Action::EndSale { id: Some(id) }, at);
            }
            _ => {}
        }
    }

    /// When the preheat of the product on screen goes live, for a comment labelled preheat.
    fn preheat_goes_live(&self, c: &Labelled) -> Option<DateTime<Utc>> {
        let sku = c.screen.as_deref().filter(|_| c.sale == "preheat")?;
        self.desk.sales().all().iter().find(|s| s.spec.sku == sku).and_then(|s| match s.state {
            SaleState::Preheat { live_at } => Some(live_at),
            _ => None,
        })
    }

    fn now_at(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        at.max(self.desk.now())
    }

    fn say(&mut self, i: usize, c: &Labelled) -> Read {
        let at = self.start + Duration::seconds(c.at) + self.offset;
        self.stage(c, at);
        let at = self.now_at(at);
        // The corpus may talk through a preheat for longer than the demo's countdown: those
        // comments are played in its last second, before the sale goes live, as they were said.
        let at = match self.preheat_goes_live(c) {
            Some(live_at) => at.min(live_at - Duration::seconds(1)).max(self.desk.now()),
            None => at,
        };
        let msg_id = format!("c{i}");
        let user = User {
            id: c.viewer.clone(),
            name: c.viewer.clone(),
            region: c.region.clone(),
            badges: vec![],
            follower: false,
        };
        let event = Event::Chat { msg_id: msg_id.clone(), user, text: c.text.clone(), reply_to: None };
        self.desk.apply(Input::Feed(Frame { v: 1, seq: i as u64 + 1, ts: String::new(), event }), at);
        let suggested = self.desk.suggest(&msg_id);
        let reply_text =
            suggested.as_ref().and_then(|s| self.desk.reply_text(s.reply, Some(&msg_id), at).ok());
        let e = self.desk.explain(&msg_id);
        let claim =
            e.and_then(|e| e.claim).map(|c| format!("{}/-/{}", c.product.unwrap_or_default(), c.quantity));
        let reasons = suggested.as_ref().map(|s| s.reasons.clone()).unwrap_or_default();
        Read { reply: suggested.map(|s| s.reply.id().to_owned()), reply_text, claim, reasons }
    }
}
