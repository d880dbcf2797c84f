//! The customer list across every stored stream: who bought, how often, how much, and when
//! they were first and last seen. Each stream is replayed through the desk, so a claim
//! confirmed on a platform with no checkout counts as the desk counted it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::build::order_rows;
use super::collect;
use super::csv_out::Sheet;
use super::money;
use crate::desk::DeskSetup;
use crate::store::{Archive, stamp};

/// One customer over every stored stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customer {
    pub user_id: String,
    /// The name they last used.
    pub name: String,
    pub region: Option<String>,
    /// Streams they bought in.
    pub streams: usize,
    /// Live orders, over every stream.
    pub orders: usize,
    pub units: u32,
    /// Per currency.
    pub spend: BTreeMap<String, Decimal>,
    /// First and last time seen in any stream (a comment, a join, an order…).
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The operator's note and tags on this viewer (from their card).
    pub notes: String,
    pub tags: Vec<String>,
}

/// Every customer (a viewer with an order live at its stream's end), the biggest spenders
/// first; `setup` builds each stream's desk.
pub fn across(store: &dyn Archive, setup: &DeskSetup) -> anyhow::Result<Vec<Customer>> {
    let mut sessions = store.sessions()?;
    sessions.reverse();
    let mut customers: HashMap<String, Customer> = HashMap::new();
    let mut seen: HashMap<String, (DateTime<Utc>, DateTime<Utc>)> = HashMap::new();
    for s in sessions {
        let c = collect::collect(store, s.id, setup.clone())?;
        for (id, p) in &c.people {
            let e = seen.entry(id.clone()).or_insert((p.first, p.last));
            e.0 = e.0.min(p.first);
            e.1 = e.1.max(p.last);
        }
        let mut bought_here: Vec<String> = Vec::new();
        for o in order_rows(&c).into_iter().filter(|o| o.live && !o.user_id.is_empty()) {
            let person = c.people.get(&o.user_id);
            let cust = customers.entry(o.user_id.clone()).or_insert_with(|| Customer {
                user_id: o.user_id.clone(),
                name: o.user.clone(),
                region: None,
                streams: 0,
                orders: 0,
                units: 0,
                spend: BTreeMap::new(),
                first_seen: o.at,
                last_seen: o.at,
                notes: String::new(),
                tags: Vec::new(),
            });
            cust.name = person.map_or_else(|| o.user.clone(), |p| p.name.clone());
            if let Some(region) = person.and_then(|p| p.region.clone()).or_else(|| o.region.clone()) {
                cust.region = Some(region);
            }
            cust.orders += 1;
            cust.units += o.qty;
            *cust.spend.entry(o.currency.clone()).or_default() += o.total();
            if !bought_here.contains(&o.user_id) {
                bought_here.push(o.user_id.clone());
                cust.streams += 1;
            }
        }
    }
    let notes = store.viewer_notes(None)?;
    let mut list: Vec<Customer> = customers
        .into_values()
        .map(|mut c| {
            if let Some(&(first, last)) = seen.get(&c.user_id) {
                c.first_seen = first;
                c.last_seen = last;
            }
            if let Some((note, tags)) = notes.get(&c.user_id) {
                c.notes = note.clone();
                c.tags = tags.clone();
            }
            for v in c.spend.values_mut() {
                *v = money(*v);
            }
            c
        })
        .collect();
    let total = |c: &Customer| c.spend.values().copied().sum::<Decimal>();
    list.sort_by(|a, b| {
        total(b).cmp(&total(a)).then_with(|| a.name.cmp(&b.name)).then_with(|| a.user_id.cmp(&b.user_id))
    });
    Ok(list)
}

fn spend_text(c: &Customer) -> String {
    let parts: Vec<String> = c.spend.iter().map(|(cur, v)| crate::desk::money::format(*v, cur)).collect();
    parts.join(", ")
}

/// The list as an aligned text table.
pub fn table(list: &[Customer]) -> String {
    let head = ["name", "region", "streams", "orders", "units", "spend", "first seen", "last seen", "notes"];
    let right = [false, false, true, true, true, true, false, false, false];
    let day = |t: DateTime<Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.region.clone().unwrap_or_else(|| "-".into()),
                c.streams.to_string(),
                c.orders.to_string(),
                c.units.to_string(),
                spend_text(c),
                day(c.first_seen),
                day(c.last_seen),
                super::build::note_line(&c.notes, &c.tags),
            ]
        })
        .collect();
    crate::table::aligned(&head, &right, &rows)
}

/// The list as CSV, one spend column per currency.
pub fn csv(list: &[Customer], out: impl std::io::Write) -> anyhow::Result<()> {
    let mut currencies: Vec<&str> = list.iter().flat_map(|c| c.spend.keys().map(String::as_str)).collect();
    currencies.sort_unstable();
    currencies.dedup();
    let spend_heads: Vec<String> = currencies.iter().map(|c| format!("spend_{c}")).collect();
    let mut head: Vec<&str> = vec!["user_id", "name", "region", "streams", "orders", "units"];
    head.extend(spend_heads.iter().map(String::as_str));
    head.extend(["first_seen", "last_seen", "notes", "tags"]);
    let mut sheet = Sheet::new(out, &head)?;
    for c in list {
        let mut row = vec![
            c.user_id.clone(),
            c.name.clone(),
            c.region.clone().unwrap_or_default(),
            c.streams.to_string(),
            c.orders.to_string(),
            c.units.to_string(),
        ];
        row.extend(
            currencies.iter().map(|cur| c.spend.get(*cur).map_or_else(String::new, |v| format!("{v:.2}"))),
        );
        row.extend([stamp(c.first_seen), stamp(c.last_seen), c.notes.clone(), c.tags.join(" ")]);
        sheet.row(&row)?;
    }
    sheet.finish()
}
