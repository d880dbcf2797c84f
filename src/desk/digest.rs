//! The state digest: one hash of the desk's domain state, so that consoles which applied
//! the same journal can show they agree by comparing a short string.
//!
//! What goes in is what the shop's business is made of: the stock of each product, the
//! orders and their status, the claims and their states, the waitlists closed, the sales and
//! their runs, the giveaways started (seed, entrants in order, winners), the show's cue on
//! now, each comment's tags and answered or deleted state, and the notes on the stream's
//! viewers.
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
use super::giveaways::{Giveaway, GiveawayState, Seed};
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
    /// Products whose waitlist the operator closed (none: left out, as before there were any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    closed_waitlists: Vec<&'a str>,
    sales: Vec<SalePart<'a>>,
    /// Only those started: a desk whose plan has giveaways it never ran hashes as one with none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    giveaways: Vec<GiveawayPart<'a>>,
    comments: Vec<CommentPart<'a>>,
    notes: BTreeMap<&'a str, NotePart<'a>>,
    /// The run of show's cue on now: a desk with no show, or one not begun, hashes as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    show_cue: Option<usize>,
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
struct GiveawayPart<'a> {
    id: &'a str,
    state: &'static str,
    seed: Option<Seed>,
    /// User ids, in entry order.
    entrants: Vec<&'a str>,
    /// User ids, in the order drawn.
    winners: Vec<&'a str>,
    refused: [u32; 4],
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
            closed_waitlists: desk.claims().closed_waitlists().collect(),
            sales: desk.sales().all().iter().map(sale).collect(),
            giveaways: desk.giveaways().all().iter().filter_map(giveaway).collect(),
            comments,
            notes,
            show_cue: desk.show().current().map(|(i, _)| i),
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

fn giveaway(g: &Giveaway) -> Option<GiveawayPart<'_>> {
    let seed = match g.state {
        GiveawayState::Planned => return None,
        GiveawayState::Open { seed, .. } | GiveawayState::Drawn { seed, .. } => Some(seed),
    };
    let r = g.refused;
    Some(GiveawayPart {
        id: &g.spec.id,
        state: g.state.name(),
        seed,
        entrants: g.entrants.iter().map(|e| e.user_id.as_str()).collect(),
        winners: g.winners().map(|w| w.user_id.as_str()).collect(),
        refused: [r.cant_ship, r.not_follower, r.too_soon, r.repeats],
    })
}

fn note(n: &Note) -> NotePart<'_> {
    NotePart { text: &n.text, tags: &n.tags }
}
