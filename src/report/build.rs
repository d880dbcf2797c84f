//! From one pass over the journal to the report's figures.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

use super::collect::{self, Answer, Collected, Comment};
use super::*;
use crate::desk::DeskSetup;
use crate::desk::classify::Tag;
use crate::desk::text::normalize;
use crate::protocol::OrderStatus;
use crate::store::{Archive, SessionInfo};

/// The report of stored session `info`, its desk set up by `setup` (the shop files as they
/// are now, as a restart would use them); `earlier` holds the user ids of everyone who bought
/// in an earlier stream (see [`earlier_buyers`]).
pub fn build(
    store: &dyn Archive,
    info: &SessionInfo,
    setup: DeskSetup,
    earlier: &HashSet<String>,
) -> anyhow::Result<Report> {
    let stock_at_start: HashMap<String, u32> =
        setup.shop.catalog.products.iter().map(|p| (p.sku.clone(), p.stock)).collect();
    let c = collect::collect(store, info.id, setup)?;
    let notes = store.viewer_notes(Some(&info.source))?;
    let mut report = Figures::new(&c).report(info, &stock_at_start, earlier);
    for row in report.customers.top.iter_mut().chain(report.customers.all.iter_mut()) {
        if let Some((note, tags)) = notes.get(&row.user_id) {
            row.notes = note_line(note, tags);
        }
    }
    Ok(report)
}

/// A viewer's tags and note as one cell: "VIP · sizes run small".
pub fn note_line(note: &str, tags: &[String]) -> String {
    let mut parts: Vec<&str> = tags.iter().map(String::as_str).collect();
    if !note.is_empty() {
        parts.push(note);
    }
    parts.join(" · ")
}

/// Everyone who bought (an order live at its stream's end) in a stored session older than
/// `before`: each is replayed, so a claim confirmed on a platform with no checkout counts
/// as the desk counted it.
pub fn earlier_buyers(
    store: &dyn Archive,
    before: i64,
    setup: &DeskSetup,
) -> anyhow::Result<HashSet<String>> {
    let mut buyers = HashSet::new();
    for s in store.sessions()?.into_iter().filter(|s| s.id < before) {
        let c = collect::collect(store, s.id, setup.clone())?;
        buyers.extend(
            order_rows(&c).into_iter().filter(|o| o.live && !o.user_id.is_empty()).map(|o| o.user_id),
        );
    }
    Ok(buyers)
}

/// Every order of a pass as the desk ended up with it, in arrival order: its final quantity
/// and status are the desk's, its time and buyer as it arrived.
pub(crate) fn order_rows(c: &Collected) -> Vec<OrderRow> {
    let start = c.start.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let catalog = &c.desk.catalog();
    c.orders
        .iter()
        .filter_map(|seen| {
            // A claim's order leaves the desk once the platform's own order pays for it.
            let o = catalog.order(&seen.order_id)?;
            Some(OrderRow {
                order_id: seen.order_id.clone(),
                at: seen.at,
                after_seconds: secs(seen.at - start),
                user_id: seen.user_id.clone(),
                user: seen.user_name.clone(),
                region: seen.region.clone(),
                sku: o.sku.clone(),
                product: catalog.product(&o.sku).map_or_else(|| o.sku.clone(), |p| p.name.clone()),
                qty: o.qty,
                unit_price: o.unit_price,
                currency: o.currency.clone(),
                status: status_name(o.status),
                live: o.status.is_live(),
                flash_sale: seen.sale.clone(),
            })
        })
        .collect()
}

fn status_name(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Placed => "placed",
        OrderStatus::Paid => "paid",
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::Refunded => "refunded",
    }
}

/// Whole seconds of a duration (rounded down).
fn secs(d: Duration) -> i64 {
    d.num_milliseconds().div_euclid(1000)
}

/// Whether a comment is a question the report counts: spam and deleted ones are left out,
/// as the desk's Unanswered view leaves them out.
fn is_question(c: &Comment) -> bool {
    c.tags.has(Tag::Question) && !c.tags.has(Tag::Spam) && !c.deleted
}

/// Whether a comment is from a buyer the shop cannot ship to (the shipping gate's tag).
fn is_cant_ship(c: &Comment) -> bool {
    c.tags.has(Tag::CantShip) && !c.tags.has(Tag::Spam) && !c.deleted
}

/// The pass, with what several sections share.
struct Figures<'a> {
    c: &'a Collected,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    orders: Vec<OrderRow>,
}

impl<'a> Figures<'a> {
    fn new(c: &'a Collected) -> Self {
        let start = c.start.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let end = c.end.unwrap_or(start);
        Figures { c, start, end, orders: order_rows(c) }
    }

    fn after(&self, at: DateTime<Utc>) -> i64 {
        secs(at - self.start)
    }

    fn report(self, info: &SessionInfo, stock: &HashMap<String, u32>, earlier: &HashSet<String>) -> Report {
        let customers = self.customers(earlier);
        let stream = self.stream(&customers);
        Report {
            session: SessionMeta {
                id: info.id,
                stream: info.stream.clone(),
                title: info.title.clone(),
                source: info.source.clone(),
                started_at: crate::store::stamp(self.start),
                ended: info.ended_at.is_some(),
                currency: self.c.desk.catalog().currency.clone(),
            },
            stream,
            products: self.products(stock),
            sales: self.sales(),
            questions: self.questions(),
            cant_ship: self.cant_ship(),
            replies: self.replies(),
            operators: self.operators(),
            customers,
            feed_health: self.feed_health(),
            series: self.series(),
            comments: self.c.comments.clone(),
            orders: self.orders,
        }
    }

    fn stream(&self, customers: &Customers) -> StreamFigures {
        let c = self.c;
        let desk = &c.desk;
        let live: Vec<&OrderRow> = self.orders.iter().filter(|o| o.live).collect();
        let buyers: HashSet<&str> = live.iter().map(|o| o.user_id.as_str()).collect();
        let commenters: HashSet<&str> = c.comments.iter().map(|m| m.user_id.as_str()).collect();
        let currency = &desk.catalog().currency;
        let gmv_by_currency: BTreeMap<String, Decimal> =
            desk.catalog().gmv().iter().map(|(cur, v)| (cur.clone(), money(*v))).collect();
        let conversion = if c.people.is_empty() {
            0.0
        } else {
            (buyers.len() as f64 * 1000.0 / c.people.len() as f64).round() / 10.0
        };
        StreamFigures {
            duration_seconds: secs(self.end - self.start),
            peak_viewers: desk.stats().viewers_peak,
            average_viewers: self.average_viewers(),
            unique_viewers: c.people.len(),
            comments: c.comments.len(),
            unique_commenters: commenters.len(),
            orders: desk.catalog().order_count(),
            returned_orders: self.orders.iter().filter(|o| !o.live).count(),
            buyers: buyers.len(),
            units: live.iter().map(|o| o.qty).sum(),
            gmv: gmv_by_currency.get(currency).copied().unwrap_or_else(|| money(Decimal::ZERO)),
            gmv_by_currency,
            conversion_percent: conversion,
            returning_customers: customers.returning,
            new_customers: customers.new,
            oversold_units: desk.catalog().oversold(),
        }
    }

    fn feed_health(&self) -> FeedHealthFigures {
        let health = &self.c.desk.health();
        let totals = health.quiet_totals(self.end);
        let rule = health.rule();
        FeedHealthFigures {
            reconnects: health.reconnects,
            gaps: health.gaps,
            missed: health.missed,
            duplicates: health.duplicates,
            malformed: health.malformed,
            renumbered: health.renumbered,
            quiet_after_seconds: rule.after.map(|a| a.as_secs()),
            quiet_min_viewers: rule.min_viewers,
            quiet_spells: totals.spells,
            quiet_seconds: totals.seconds,
            longest_quiet_seconds: totals.longest,
            spells: health
                .spells(self.end)
                .map(|s| QuietFigures {
                    after_seconds: self.after(s.start),
                    seconds: s.seconds(),
                    viewers: s.viewers,
                })
                .collect(),
        }
    }

    /// The viewer count averaged over time, from the platform's first count to the end.
    fn average_viewers(&self) -> u64 {
        let v = &self.c.viewers;
        let Some(&(first, _)) = v.first() else { return 0 };
        let total_ms = (self.end - first).num_milliseconds();
        if total_ms <= 0 {
            return v.last().map_or(0, |&(_, n)| n);
        }
        let mut weighted = 0f64;
        for (i, &(at, n)) in v.iter().enumerate() {
            let until = v.get(i + 1).map_or(self.end, |&(next, _)| next);
            weighted += n as f64 * (until - at).num_milliseconds() as f64;
        }
        (weighted / total_ms as f64).round() as u64
    }

    fn products(&self, stock: &HashMap<String, u32>) -> Vec<ProductFigures> {
        let mut revenue: HashMap<&str, Decimal> = HashMap::new();
        for o in self.orders.iter().filter(|o| o.live) {
            *revenue.entry(o.sku.as_str()).or_default() += o.total();
        }
        self.c
            .desk
            .catalog()
            .products()
            .iter()
            .map(|p| {
                let shelf = p.sold + p.on_hand;
                let sell_through = if shelf == 0 {
                    0.0
                } else {
                    (f64::from(p.sold) * 1000.0 / f64::from(shelf)).round() / 10.0
                };
                ProductFigures {
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    stock_at_start: stock.get(&p.sku).copied().unwrap_or(0),
                    units: p.sold,
                    revenue: money(revenue.get(p.sku.as_str()).copied().unwrap_or_default()),
                    on_hand_at_end: p.on_hand,
                    sell_through_percent: sell_through,
                    sold_out_after_seconds: self.c.sold_out.get(&p.sku).map(|&at| self.after(at)),
                    oversold: p.oversold,
                }
            })
            .collect()
    }

    fn sales(&self) -> Vec<SaleFigures> {
        let desk = &self.c.desk;
        desk.sales()
            .all()
            .iter()
            .map(|s| SaleFigures {
                id: s.spec.id.clone(),
                sku: s.spec.sku.clone(),
                product: desk
                    .catalog()
                    .product(&s.spec.sku)
                    .map_or_else(|| s.spec.sku.clone(), |p| p.name.clone()),
                price: money(s.spec.price),
                quantity: s.spec.quantity,
                runs: s
                    .runs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let reason = r.ended.map(|(_, why)| why);
                        let sold_out_in = match (r.live_at, r.ended) {
                            (Some(live), Some((end, crate::desk::sales::EndReason::SoldOut))) => {
                                Some(secs(end - live))
                            }
                            _ => None,
                        };
                        let timeline = self
                            .c
                            .sale_points
                            .iter()
                            .filter(|p| p.sale_id == s.spec.id && p.run == i)
                            .map(|p| [self.after(p.at), i64::from(p.units)])
                            .collect();
                        RunFigures {
                            started_after_seconds: self.after(r.started_at),
                            live_after_seconds: r.live_at.map(|t| self.after(t)),
                            ended_after_seconds: r.ended.map(|(t, _)| self.after(t)),
                            end_reason: reason,
                            units: r.units,
                            revenue: money(r.revenue),
                            sold_out_in_seconds: sold_out_in,
                            units_left: s.spec.quantity.saturating_sub(r.units),
                            timeline,
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn questions(&self) -> Questions {
        let qs: Vec<&Comment> = self.c.comments.iter().filter(|c| is_question(c)).collect();
        let mut waits: Vec<i64> = qs
            .iter()
            .filter_map(|q| q.answered.as_ref().map(|(at, _)| (*at - q.at).num_milliseconds()))
            .collect();
        waits.sort_unstable();
        let median = match waits.len() {
            0 => None,
            n if n % 2 == 1 => Some(waits[n / 2] / 1000),
            n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2000),
        };
        let canned = |q: &Comment| matches!(q.answered, Some((_, Answer::Reply { .. })));
        let unanswered: Vec<&&Comment> = qs.iter().filter(|q| q.answered.is_none()).collect();
        let groups = self.question_groups(&qs);
        Questions {
            asked: qs.len(),
            answered: qs.len() - unanswered.len(),
            answered_by_canned_reply: qs.iter().filter(|q| canned(q)).count(),
            marked_handled: qs.iter().filter(|q| matches!(q.answered, Some((_, Answer::Handled)))).count(),
            unanswered: unanswered.len(),
            median_answer_seconds: median,
            top: groups.iter().take(TOP_QUESTIONS).cloned().collect(),
            groups,
            unanswered_list: unanswered
                .iter()
                .take(UNANSWERED_LISTED)
                .map(|q| QuestionRow {
                    after_seconds: self.after(q.at),
                    user: q.user_name.clone(),
                    region: q.region.clone(),
                    text: q.text.clone(),
                })
                .collect(),
        }
    }

    /// Questions grouped by their normalized text, the most asked first (then the earliest).
    fn question_groups(&self, qs: &[&Comment]) -> Vec<QuestionGroup> {
        let titles: HashMap<&str, &str> =
            self.c.desk.replies().all().iter().map(|r| (r.id(), r.title.as_str())).collect();
        let mut groups: Vec<QuestionGroup> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut askers: Vec<HashSet<&str>> = Vec::new();
        for q in qs {
            let norm = normalize(&q.text);
            if norm.is_empty() {
                continue;
            }
            let i = *index.entry(norm.clone()).or_insert_with(|| {
                groups.push(QuestionGroup {
                    text: q.text.clone(),
                    normalized: norm,
                    other_spellings: Vec::new(),
                    count: 0,
                    askers: 0,
                    answered: 0,
                    canned_replies: Vec::new(),
                    first_after_seconds: self.after(q.at),
                });
                askers.push(HashSet::new());
                groups.len() - 1
            });
            let g = &mut groups[i];
            g.count += 1;
            if q.text != g.text && g.other_spellings.len() < 3 && !g.other_spellings.contains(&q.text) {
                g.other_spellings.push(q.text.clone());
            }
            askers[i].insert(q.user_id.as_str());
            g.askers = askers[i].len();
            if let Some((_, how)) = &q.answered {
                g.answered += 1;
                if let Answer::Reply { id } = how {
                    let title = titles.get(id.as_str()).map_or_else(|| id.clone(), |t| (*t).to_owned());
                    if !g.canned_replies.contains(&title) {
                        g.canned_replies.push(title);
                    }
                }
            }
        }
        // Stable: equal counts keep the order they were first asked in.
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));
        groups
    }

    fn cant_ship(&self) -> Vec<RegionFigures> {
        let buyers: HashSet<&str> =
            self.orders.iter().filter(|o| o.live).map(|o| o.user_id.as_str()).collect();
        // Per region: comments, the viewers who wrote them, and how many were answered.
        let mut by_region: BTreeMap<String, (usize, HashSet<&str>, usize)> = BTreeMap::new();
        let mut msgs: HashMap<&str, String> = HashMap::new();
        for c in self.c.comments.iter().filter(|c| is_cant_ship(c)) {
            let region = c.region.clone().unwrap_or_else(|| "unknown".into());
            if !c.msg_id.is_empty() {
                msgs.insert(c.msg_id.as_str(), region.clone());
            }
            let r = by_region.entry(region).or_default();
            r.0 += 1;
            r.1.insert(c.user_id.as_str());
            r.2 += usize::from(c.answered.is_some());
        }
        let mut replies: HashMap<&str, usize> = HashMap::new();
        for r in &self.c.replies {
            if let Some(region) = r.to_msg.as_deref().and_then(|m| msgs.get(m)) {
                *replies.entry(region.as_str()).or_default() += 1;
            }
        }
        let mut rows: Vec<RegionFigures> = by_region
            .into_iter()
            .map(|(region, (comments, viewers, answered))| RegionFigures {
                replies: replies.get(region.as_str()).copied().unwrap_or(0),
                buyers: viewers.iter().filter(|v| buyers.contains(**v)).count(),
                viewers: viewers.len(),
                region,
                comments,
                answered,
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.comments));
        rows
    }

    fn operators(&self) -> Vec<OperatorFigures> {
        let credits = self.c.desk.hands().credits();
        credits
            .iter()
            .map(|(name, credit)| OperatorFigures { name: name.clone(), credit: credit.clone() })
            .collect()
    }

    fn replies(&self) -> Vec<ReplyFigures> {
        // Each live order counts for the latest reply to its buyer in the ten minutes before it.
        let window = Duration::minutes(REPLY_TO_ORDER_MINUTES);
        let mut led: HashMap<&str, (usize, Decimal)> = HashMap::new();
        for o in self.orders.iter().filter(|o| o.live && !o.user_id.is_empty()) {
            let reply = self.c.replies.iter().rev().find(|r| {
                r.to_user.as_deref() == Some(o.user_id.as_str()) && r.at <= o.at && o.at - r.at <= window
            });
            if let Some(r) = reply {
                let e = led.entry(r.id.as_str()).or_default();
                e.0 += 1;
                e.1 += o.total();
            }
        }
        // Every reply on a key, and any other that was used: (id, key, title).
        let desk = &self.c.desk.replies();
        let mut known: Vec<(String, String, String)> = desk
            .all()
            .iter()
            .filter(|r| r.key.is_some() || self.c.replies.iter().any(|s| s.id == r.id()))
            .map(|r| (r.id().to_owned(), r.key.clone().unwrap_or_default(), r.title.clone()))
            .collect();
        for r in &self.c.replies {
            if !known.iter().any(|(id, ..)| *id == r.id) {
                known.push((r.id.clone(), String::new(), r.title.clone()));
            }
        }
        known
            .into_iter()
            .map(|(id, key, title)| {
                let uses: Vec<_> = self.c.replies.iter().filter(|r| r.id == id).collect();
                let viewers: HashSet<&str> = uses.iter().filter_map(|r| r.to_user.as_deref()).collect();
                let (orders_after, revenue) = led.get(id.as_str()).copied().unwrap_or_default();
                ReplyFigures {
                    uses: uses.len(),
                    viewers: viewers.len(),
                    orders_after,
                    revenue_after: money(revenue),
                    id,
                    key,
                    title,
                }
            })
            .collect()
    }

    fn customers(&self, earlier: &HashSet<String>) -> Customers {
        let mut rows: Vec<CustomerRow> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut order_ids: Vec<HashSet<&str>> = Vec::new();
        for o in self.orders.iter().filter(|o| o.live) {
            let i = *index.entry(o.user_id.as_str()).or_insert_with(|| {
                let person = self.c.people.get(&o.user_id);
                rows.push(CustomerRow {
                    user_id: o.user_id.clone(),
                    name: person.map_or_else(|| o.user.clone(), |p| p.name.clone()),
                    region: person.and_then(|p| p.region.clone()).or_else(|| o.region.clone()),
                    orders: 0,
                    units: 0,
                    spend: Decimal::ZERO,
                    returning: earlier.contains(&o.user_id),
                    comments: self.c.comments.iter().filter(|c| c.user_id == o.user_id).count(),
                    notes: String::new(),
                });
                order_ids.push(HashSet::new());
                rows.len() - 1
            });
            order_ids[i].insert(o.order_id.as_str());
            let r = &mut rows[i];
            r.orders = order_ids[i].len();
            r.units += o.qty;
            r.spend += o.total();
        }
        for r in &mut rows {
            r.spend = money(r.spend);
        }
        rows.sort_by(|a, b| b.spend.cmp(&a.spend).then_with(|| a.name.cmp(&b.name)));
        let returning = rows.iter().filter(|r| r.returning).count();
        Customers {
            new: rows.len() - returning,
            returning,
            top: rows.iter().take(TOP_BUYERS).cloned().collect(),
            all: rows,
        }
    }

    fn series(&self) -> Series {
        let ms = (self.end - self.start).num_milliseconds().max(0);
        let minutes = usize::try_from((ms + 59_999) / 60_000).unwrap_or(0).max(1);
        let bucket = |at: DateTime<Utc>| {
            usize::try_from((at - self.start).num_milliseconds().max(0) / 60_000)
                .unwrap_or(0)
                .min(minutes - 1)
        };
        // Per minute the highest count, and the last one (a quiet minute keeps that).
        let mut seen: Vec<Option<(u64, u64)>> = vec![None; minutes];
        for &(at, n) in &self.c.viewers {
            let b = &mut seen[bucket(at)];
            *b = Some(b.map_or((n, n), |(high, _)| (high.max(n), n)));
        }
        let mut carried = 0;
        let viewers = seen
            .into_iter()
            .map(|b| match b {
                Some((high, last)) => {
                    carried = last;
                    high
                }
                None => carried,
            })
            .collect();
        let mut comments = vec![0u32; minutes];
        for c in &self.c.comments {
            comments[bucket(c.at)] += 1;
        }
        let mut orders = vec![0u32; minutes];
        for o in &self.c.orders {
            orders[bucket(o.at)] += 1;
        }
        let sale_windows = self
            .c
            .windows
            .iter()
            .map(|w| WindowFigures {
                sale_id: w.sale_id.clone(),
                from_seconds: self.after(w.from),
                to_seconds: self.after(w.to.unwrap_or(self.end)),
            })
            .collect();
        Series { minutes, viewers, comments, orders, sale_windows }
    }
}
