//! The state digest: one hash of the desk's domain state, so that consoles which applied
//! the same journal can show they agree by comparing a short string.
//!
//! What goes in is what the shop's business is made of: the stock of each product, the
//! orders and their status, the claims and their states, the sales and their runs, each
//! comment's tags and answered or deleted state, and the notes on the stream's viewers.
//! What stays out differs between consoles that agree: the clock, notices, command refs
//! (each run has its own prefix), acks and the feed's health. Times stay out too: a replay
//! sets every time of a recording off its own start, and a stream replayed must give the
//! digest its live run gave; the states (held, expired, live, ended…) carry what they did.
//!
//! The parts are written out as canonical JSON (fields in a fixed order, lists sorted by
//! their ids) and hashed with SHA-256, so the digest is the same in every process and on
//! every machine; the per-run seeded hashes the desk uses for its maps never touch it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Desk;
use super::catalog::Order;
use super::claims::{Claim, ClaimCounts, ClaimState, ConfirmedBy};
use super::sales::Sale;
use super::viewers::Note;

/// Hex digits of the digest: 128 bits, plenty to tell two desks apart.
const HEX_LEN: usize = 32;

impl Desk {
    /// A hash of the desk's domain state (see the module doc), as hex: equal on every
    /// console that applied the same journal, different when any part differs.
    pub fn state_digest(&self) -> String {
        let json = serde_json::to_vec(&Domain::of(self)).expect("the domain parts serialize");
        let hash = Sha256::digest(&json);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        hex[..HEX_LEN].to_owned()
    }
}

/// The domain parts, in the order they are hashed.
#[derive(Serialize)]
struct Domain<'a> {
    stock: Vec<Stock<'a>>,
    orders: Vec<OrderPart<'a>>,
    claim_counts: ClaimCounts,
    claims: Vec<ClaimPart<'a>>,
    sales: Vec<SalePart<'a>>,
    comments: Vec<CommentPart<'a>>,
    notes: BTreeMap<&'a str, NotePart<'a>>,
}

#[derive(Serialize)]
struct Stock<'a> {
    sku: &'a str,
    on_hand: u32,
    reserved: u32,
    available: u32,
    sold: u32,
    oversold: u32,
}

#[derive(Serialize)]
struct OrderPart<'a> {
    id: &'a str,
    user: &'a str,
    sku: &'a str,
    qty: u32,
    unit_price: String,
    currency: &'a str,
    status: crate::protocol::OrderStatus,
    taken: u32,
    /// The sale and run it counted for.
    sale: Option<(&'a str, usize)>,
}

#[derive(Serialize)]
struct ClaimPart<'a> {
    id: u64,
    seq: u64,
    sku: &'a str,
    user_id: &'a str,
    msg_id: &'a str,
    qty: u32,
    state: &'static str,
    /// The order that confirmed it, if one did.
    by_order: Option<&'a str>,
}

#[derive(Serialize)]
struct SalePart<'a> {
    id: &'a str,
    state: &'static str,
    runs: Vec<RunPart>,
}

#[derive(Serialize)]
struct RunPart {
    went_live: bool,
    /// Why it ended, once it did.
    ended: Option<&'static str>,
    units: u32,
    revenue: String,
}

#[derive(Serialize)]
struct CommentPart<'a> {
    msg_id: &'a str,
    tags: Vec<&'static str>,
    answered: bool,
    deleted: bool,
}

#[derive(Serialize)]
struct NotePart<'a> {
    text: &'a str,
    tags: &'a [String],
}

impl<'a> Domain<'a> {
    fn of(desk: &'a Desk) -> Domain<'a> {
        let stock = desk
            .catalog()
            .products()
            .iter()
            .map(|p| Stock {
                sku: &p.sku,
                on_hand: p.on_hand,
                reserved: p.reserved,
                available: p.available,
                sold: p.sold,
                oversold: p.oversold,
            })
            .collect();
        let mut orders: Vec<OrderPart> = desk.catalog().orders().map(order).collect();
        orders.sort_by(|a, b| a.id.cmp(b.id));
        let mut claims: Vec<ClaimPart> =
            desk.claims().open().chain(desk.claims().done()).map(claim).collect();
        claims.sort_by_key(|c| c.id);
        let comments = desk
            .chat()
            .messages()
            .iter()
            // The desk's own lines (an order, a gift shown inline) have no id: they narrate.
            .filter(|m| !m.msg_id.is_empty())
            .map(|m| CommentPart {
                msg_id: &m.msg_id,
                tags: m.tags.iter().map(|t| t.name()).collect(),
                answered: m.answered,
                deleted: m.deleted,
            })
            .collect();
        // The viewers' cards open only on viewers the stream saw, so their notes are the
        // ones an operator can have written (or read from earlier streams).
        let viewers = desk.viewers();
        let notes = viewers
            .since(0)
            .iter()
            .filter_map(|v| viewers.note(&v.id).map(|n| (v.id.as_str(), note(n))))
            .collect();
        Domain {
            stock,
            orders,
            claim_counts: desk.claims().counts(),
            claims,
            sales: desk.sales().all().iter().map(sale).collect(),
            comments,
            notes,
        }
    }
}

/// A decimal by its value, not its scale (`4.990` and `4.99` are one price).
fn decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

fn order(o: &Order) -> OrderPart<'_> {
    OrderPart {
        id: &o.order_id,
        user: &o.user_name,
        sku: &o.sku,
        qty: o.qty,
        unit_price: decimal(o.unit_price),
        currency: &o.currency,
        status: o.status,
        taken: o.taken,
        sale: o.sale.as_ref().map(|r| (r.sale_id.as_str(), r.run)),
    }
}

fn claim(c: &Claim) -> ClaimPart<'_> {
    let by_order = match &c.state {
        ClaimState::Confirmed { by: ConfirmedBy::Order(id), .. } => Some(id.as_str()),
        _ => None,
    };
    ClaimPart {
        id: c.id,
        seq: c.seq,
        sku: &c.sku,
        user_id: &c.user_id,
        msg_id: &c.msg_id,
        qty: c.qty,
        state: c.state.label(),
        by_order,
    }
}

fn sale(s: &Sale) -> SalePart<'_> {
    let runs = s
        .runs
        .iter()
        .map(|r| RunPart {
            went_live: r.live_at.is_some(),
            ended: r.ended.map(|(_, why)| why.label()),
            units: r.units,
            revenue: decimal(r.revenue),
        })
        .collect();
    SalePart { id: &s.spec.id, state: s.state.name(), runs }
}

fn note(n: &Note) -> NotePart<'_> {
    NotePart { text: &n.text, tags: &n.tags }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::{DateTime, Utc};

    use super::*;
    use crate::app::{Clock, Session};
    use crate::config::{self, EnvInfo, Paths};
    use crate::desk::catalog::Adjust;
    use crate::desk::{Action, DeskSetup, Input, Level, LinkEvent};
    use crate::protocol::{Event, Frame, OrderStatus, StreamInfo, User};
    use crate::store::{self, Journal, Store};

    fn load(dir: &Path) -> config::Config {
        let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
        config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads")
    }

    /// A desk for the built-in shop whose commands carry refs starting with `prefix`.
    fn desk(prefix: &str) -> Desk {
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

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
    }

    fn user(name: &str) -> User {
        User {
            id: format!("id-{name}"),
            name: name.into(),
            region: Some("GB".into()),
            badges: vec![],
            follower: false,
        }
    }

    fn feed(seq: u64, event: Event) -> Input {
        Input::Feed(Frame { v: 1, seq, ts: String::new(), event })
    }

    fn chat(seq: u64, name: &str, text: &str) -> Input {
        feed(
            seq,
            Event::Chat { msg_id: format!("m{seq}"), user: user(name), text: text.into(), reply_to: None },
        )
    }

    fn op(action: Action) -> Input {
        Input::Operator(action)
    }

    /// A stream with a held claim, a question, an order and a sale under way.
    fn stream() -> Vec<(Input, DateTime<Utc>)> {
        let info = StreamInfo { id: "s1".into(), currency: "GBP".into(), ..Default::default() };
        vec![
            (feed(0, Event::Welcome { stream: info, resumed: false, epoch: None }), t(0)),
            (chat(1, "maria", "sold 2 almond pink"), t(1)),
            (chat(2, "jo", "do you ship to Ireland?"), t(2)),
            (
                feed(
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
        let mut d = desk(prefix);
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
        assert_eq!(digest.len(), HEX_LEN);
        assert!(digest.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{digest}");
        assert_ne!(digest, desk("run-a").state_digest(), "the stream changed the desk");
    }

    #[test]
    fn a_confirmed_claim_a_retag_a_note_and_a_stock_adjust_each_change_the_digest() {
        let d = played("t");
        let claim = d.claims().open().next().expect("maria's claim is held").id;
        let changed = [
            after(&d, op(Action::ConfirmClaim { id: claim }), 10),
            after(&d, op(Action::Retag { msg_id: "m2".into(), tag: "complaint".into() }), 10),
            after(
                &d,
                op(Action::NoteViewer {
                    user_id: "id-jo".into(),
                    note: "lives in Cork".into(),
                    tags: vec![],
                }),
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
        ];
        let base = d.state_digest();
        for (i, digest) in changed.iter().enumerate() {
            assert_ne!(*digest, base, "change {i} left the digest");
            assert_eq!(
                changed.iter().filter(|&other| other == digest).count(),
                1,
                "change {i} is like another"
            );
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
        stored.attach_store(&db, Journal::start(&path).unwrap(), "replay", false).unwrap();
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
}
