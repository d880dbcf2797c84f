//! The headless summary: one JSON object that says what a run saw and did.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::Desk;
use super::claims::ClaimCounts;
use super::classify::Tag;
use super::giveaways::{Giveaway, GiveawayState};
use super::health::Health;

/// What `--summary json` prints at the end of a headless run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub stream: String,
    pub events_applied: u64,
    pub duplicates_dropped: u64,
    pub malformed_dropped: u64,
    pub unknown_types: u64,
    pub gaps: u64,
    pub missed_events: u64,
    pub reconnects: u64,
    pub chat_messages: u64,
    /// Chat messages deleted by the platform's moderation (or all of a banned viewer's).
    pub deleted_messages: usize,
    pub viewers_peak: u64,
    pub joins: u64,
    pub likes: u64,
    pub follows: u64,
    pub shares: u64,
    /// Gift units: a streak of five roses counts five, once.
    pub gifts: u64,
    /// What the gifts were worth, by currency.
    pub gift_value: BTreeMap<String, String>,
    pub orders: usize,
    pub oversold: u32,
    pub gmv: BTreeMap<String, String>,
    pub stock: BTreeMap<String, u32>,
    pub sales: Vec<SaleSummary>,
    /// The giveaways started, with what it takes to check their draws.
    pub giveaways: Vec<GiveawaySummary>,
    pub claims: ClaimCounts,
    /// Comments in memory with each chat tag (question, buyer, shipping, cant-ship…): what
    /// each chat view lists.
    pub tagged: BTreeMap<&'static str, usize>,
    /// Questions not yet answered or handled.
    pub unanswered: usize,
    /// "Can't ship" comments by the region asked for.
    pub cant_ship: BTreeMap<String, u64>,
    pub commands_sent: u64,
    pub commands_acked: u64,
    pub commands_refused: u64,
    /// The feed's outages, gaps, replays dropped and quiet spells (the counters above that
    /// it repeats stay for the scripts that read them).
    pub feed_health: FeedHealth,
    /// A hash of the domain state (stock, orders, claims, sales, comments' tags and
    /// answers, notes): equal on every console that applied the same journal.
    pub state_digest: String,
    /// Who acted on a team desk, and what each did (empty when no action was named).
    pub operators: BTreeMap<String, super::team::Credit>,
    /// Where the run of show stood (none without a show).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show: Option<ShowSummary>,
}

/// The run of show in the summary: the cue on now (1-based; 0 before the show began) of how
/// many, and the timed cues that came due.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShowSummary {
    pub cue: usize,
    pub cues: usize,
    pub due: usize,
}

/// The feed health record in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeedHealth {
    /// Outages of a live link.
    pub reconnects: u64,
    /// Holes in the seqs, and the seqs they skipped.
    pub gaps: u64,
    pub missed: u64,
    /// Repeats dropped (a reconnect's replay), by seq or by the events' own ids.
    pub duplicates: u64,
    pub malformed: u64,
    /// Times the platform restarted its numbering.
    pub renumbered: u64,
    /// Spells of no comment while many watched, the one still on included.
    pub quiet_spells: usize,
    /// Their whole seconds, added up.
    pub quiet_seconds: u64,
    pub longest_quiet_seconds: u64,
    pub spells: Vec<SpellSummary>,
}

/// One quiet spell in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpellSummary {
    /// The last comment before it, RFC 3339.
    pub start: String,
    pub seconds: u64,
    /// The most viewers watching during it.
    pub viewers: u64,
}

impl FeedHealth {
    /// The record of `health` as it stands at `now`.
    pub fn of(health: &Health, now: DateTime<Utc>) -> FeedHealth {
        let totals = health.quiet_totals(now);
        FeedHealth {
            reconnects: health.reconnects,
            gaps: health.gaps,
            missed: health.missed,
            duplicates: health.duplicates,
            malformed: health.malformed,
            renumbered: health.renumbered,
            quiet_spells: totals.spells,
            quiet_seconds: totals.seconds,
            longest_quiet_seconds: totals.longest,
            spells: health
                .spells(now)
                .map(|s| SpellSummary {
                    start: s.start.to_rfc3339_opts(SecondsFormat::Millis, true),
                    seconds: s.seconds(),
                    viewers: s.viewers,
                })
                .collect(),
        }
    }
}

/// One flash sale in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SaleSummary {
    pub id: String,
    /// `planned`, `preheat`, `live`, `paused` or `ended`.
    pub state: &'static str,
    /// Units sold in its latest run, against `quantity`.
    pub sold: u32,
    pub quantity: u32,
    /// What every run of it took, net of returns, as a decimal string.
    pub revenue: String,
    /// How many times it ran.
    pub runs: usize,
}

/// One giveaway in the summary: enough to draw it again by hand (README, "Giveaways").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GiveawaySummary {
    pub id: String,
    pub prize: String,
    /// `open` or `drawn`.
    pub state: &'static str,
    /// The draw's seed as 16 hex digits, once drawn.
    pub seed: Option<String>,
    pub entrants: usize,
    /// Keyword comments refused for a rule (region, follow, watch time).
    pub refused: u32,
    /// The winners' names, in the order drawn.
    pub winners: Vec<String>,
}

impl GiveawaySummary {
    fn of(g: &Giveaway) -> Option<GiveawaySummary> {
        (g.state != GiveawayState::Planned).then(|| GiveawaySummary {
            id: g.spec.id.clone(),
            prize: g.spec.prize.clone(),
            state: g.state.name(),
            seed: g.drawn_seed().map(|s| s.to_string()),
            entrants: g.entrants.len(),
            refused: g.refused.ruled_out(),
            winners: g.winners().map(|w| w.name.clone()).collect(),
        })
    }
}

impl Summary {
    /// The summary of a desk's current state.
    pub fn of(desk: &Desk) -> Summary {
        let (c, h) = (&desk.counters(), &desk.health());
        Summary {
            stream: desk.stream().id.clone(),
            events_applied: c.events_applied,
            duplicates_dropped: h.duplicates,
            malformed_dropped: h.malformed,
            unknown_types: c.unknown,
            gaps: h.gaps,
            missed_events: h.missed,
            reconnects: h.reconnects,
            chat_messages: desk.stats().chat_messages,
            deleted_messages: desk.chat().messages().iter().filter(|m| m.deleted).count(),
            viewers_peak: desk.stats().viewers_peak,
            joins: desk.stats().joins,
            likes: desk.stats().likes,
            follows: desk.stats().follows,
            shares: desk.stats().shares,
            gifts: desk.stats().gifts,
            gift_value: desk.stats().gift_value.iter().map(|(c, v)| (c.clone(), v.to_string())).collect(),
            orders: desk.catalog().order_count(),
            oversold: desk.catalog().oversold(),
            gmv: desk
                .catalog()
                .gmv()
                .iter()
                .map(|(cur, v)| (cur.clone(), format!("{:.2}", v.round_dp(2))))
                .collect(),
            stock: desk.catalog().products().iter().map(|p| (p.sku.clone(), p.available)).collect(),
            sales: desk
                .sales()
                .all()
                .iter()
                .map(|s| SaleSummary {
                    id: s.spec.id.clone(),
                    state: s.state.name(),
                    sold: s.sold(),
                    quantity: s.spec.quantity,
                    revenue: format!("{:.2}", s.revenue().round_dp(2)),
                    runs: s.runs.len(),
                })
                .collect(),
            giveaways: desk.giveaways().all().iter().filter_map(GiveawaySummary::of).collect(),
            claims: desk.claims().counts(),
            tagged: Tag::ALL.into_iter().map(|t| (t.name(), desk.chat().tagged(t))).collect(),
            unanswered: desk.chat().unanswered_count(),
            cant_ship: desk.state.cant_ship.clone(),
            commands_sent: c.commands_sent,
            commands_acked: c.commands_acked,
            commands_refused: c.commands_refused,
            feed_health: FeedHealth::of(h, desk.now()),
            state_digest: desk.state_digest(),
            operators: desk.hands().credits().clone(),
            show: (!desk.show().is_empty()).then(|| ShowSummary {
                cue: desk.show().current().map_or(0, |(i, _)| i + 1),
                cues: desk.show().cues().len(),
                due: desk.show().came_due(),
            }),
        }
    }
}
