//! The report's content in reading order, as plain blocks (headings, paragraphs, tables,
//! charts) that the Markdown and HTML writers each escape and lay out their own way.

use super::text::{amount, clock, clock_or_dash, percent};
use super::{FeedHealthFigures, REPLY_TO_ORDER_MINUTES, Report};

/// One piece of the report. Text is plain and unescaped: each writer escapes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Title(String),
    /// A section.
    Heading(String),
    /// A part of a section.
    Sub(String),
    Para(String),
    /// Plain text with `code` spans: the stream id.
    Meta(String),
    Table(Table),
    /// A chart by its file name (see `charts`).
    Chart {
        file: &'static str,
        alt: &'static str,
    },
    List(Vec<String>),
}

/// A table; `right` says which columns hold numbers (aligned right).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub head: Vec<&'static str>,
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

struct Doc(Vec<Block>);

impl Doc {
    fn table(&mut self, head: &[&'static str], right: &[bool], rows: &[Vec<String>]) {
        self.0.push(Block::Table(Table { head: head.to_vec(), right: right.to_vec(), rows: rows.to_vec() }));
    }

    fn chart(&mut self, file: &'static str, alt: &'static str) {
        self.0.push(Block::Chart { file, alt });
    }

    fn heading(&mut self, text: &str) {
        self.0.push(Block::Heading(text.into()));
    }

    fn sub(&mut self, text: String) {
        self.0.push(Block::Sub(text));
    }

    fn para(&mut self, text: String) {
        self.0.push(Block::Para(text));
    }
}

/// The start as people read it: `2026-11-20 19:00:00 UTC`.
fn started(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map_or_else(|_| rfc3339.to_owned(), |t| t.to_utc().format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// The whole report, in reading order.
pub fn blocks(r: &Report) -> Vec<Block> {
    let mut out = Doc(Vec::new());
    let cur = r.session.currency.as_str();
    let name = r.session.title.clone().filter(|t| !t.is_empty()).or_else(|| r.session.stream.clone());
    out.0.push(Block::Title(format!("Stream report: {}", name.as_deref().unwrap_or("unnamed stream"))));
    let state = if r.session.ended { "ended" } else { "not ended (the journal stops here)" };
    out.0.push(Block::Meta(format!(
        "Session {} · stream `{}` · from {} · started {} · {} long · {state}",
        r.session.id,
        r.session.stream.as_deref().unwrap_or("-").replace('`', "'"),
        r.session.source.replace('`', "'"),
        started(&r.session.started_at),
        clock(r.stream.duration_seconds),
    )));
    out.para("Times are from the start of the stream (m:ss or h:mm:ss).".into());

    let s = &r.stream;
    out.heading("The stream");
    let gmv_other: Vec<String> =
        s.gmv_by_currency.iter().filter(|(c, _)| c.as_str() != cur).map(|(c, v)| amount(*v, c)).collect();
    let gmv = if gmv_other.is_empty() {
        amount(s.gmv, cur)
    } else {
        format!("{} (and {})", amount(s.gmv, cur), gmv_other.join(", "))
    };
    let rows = vec![
        vec!["Duration".into(), clock(s.duration_seconds)],
        vec!["Peak viewers".into(), s.peak_viewers.to_string()],
        vec!["Average viewers".into(), s.average_viewers.to_string()],
        vec!["Unique viewers seen".into(), s.unique_viewers.to_string()],
        vec!["Comments".into(), s.comments.to_string()],
        vec!["Unique commenters".into(), s.unique_commenters.to_string()],
        vec!["Orders".into(), format!("{} ({} cancelled or refunded)", s.orders, s.returned_orders)],
        vec!["Buyers".into(), s.buyers.to_string()],
        vec!["Units sold".into(), s.units.to_string()],
        vec!["GMV".into(), gmv],
        vec!["Conversion (buyers / unique viewers)".into(), percent(s.conversion_percent)],
        vec!["Customers".into(), format!("{} new, {} returning", s.new_customers, s.returning_customers)],
        vec!["Oversold units".into(), s.oversold_units.to_string()],
    ];
    out.table(&["Figure", "Value"], &[false, true], &rows);
    out.chart("viewers.svg", "Viewers over the stream, flash sales shaded");
    out.chart("comments.svg", "Comments per minute, flash sales shaded");
    out.chart("orders.svg", "Orders per minute, flash sales shaded");
    feed_health(&mut out, &r.feed_health);

    out.heading("Products");
    out.chart("products.svg", "Units sold per product");
    let rows: Vec<Vec<String>> = r
        .products
        .iter()
        .map(|p| {
            vec![
                p.sku.clone(),
                p.name.clone(),
                p.stock_at_start.to_string(),
                p.units.to_string(),
                amount(p.revenue, cur),
                percent(p.sell_through_percent),
                clock_or_dash(p.sold_out_after_seconds),
                p.on_hand_at_end.to_string(),
                p.oversold.to_string(),
            ]
        })
        .collect();
    out.table(
        &["SKU", "Product", "Stock", "Units", "Revenue", "Sell-through", "Sold out at", "Left", "Oversold"],
        &[false, false, true, true, true, true, true, true, true],
        &rows,
    );

    out.heading("Flash sales");
    let mut rows = Vec::new();
    let mut timelines = Vec::new();
    for sale in &r.sales {
        if sale.runs.is_empty() {
            rows.push(vec![
                sale.id.clone(),
                sale.sku.clone(),
                amount(sale.price, cur),
                "not run".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                format!("0/{}", sale.quantity),
                amount(rust_decimal::Decimal::ZERO, cur),
                "–".into(),
                sale.quantity.to_string(),
            ]);
        }
        for (i, run) in sale.runs.iter().enumerate() {
            let why =
                run.end_reason.map_or_else(|| "still running".to_owned(), |reason| reason.label().to_owned());
            rows.push(vec![
                sale.id.clone(),
                sale.sku.clone(),
                amount(sale.price, cur),
                (i + 1).to_string(),
                clock_or_dash(run.live_after_seconds),
                clock_or_dash(run.ended_after_seconds),
                why,
                format!("{}/{}", run.units, sale.quantity),
                amount(run.revenue, cur),
                clock_or_dash(run.sold_out_in_seconds),
                run.units_left.to_string(),
            ]);
            if !run.timeline.is_empty() {
                let steps: Vec<String> =
                    run.timeline.iter().map(|[at, units]| format!("{} → {units}", clock(*at))).collect();
                timelines.push(format!("{} run {}: {}", sale.id, i + 1, steps.join(", ")));
            }
        }
    }
    if rows.is_empty() {
        out.para("No flash sales were planned.".into());
    } else {
        out.table(
            &[
                "Sale",
                "SKU",
                "Price",
                "Run",
                "Live at",
                "Ended at",
                "Why",
                "Sold",
                "Revenue",
                "Sold out in",
                "Left",
            ],
            &[false, false, true, true, true, true, false, true, true, true, true],
            &rows,
        );
    }
    if !timelines.is_empty() {
        out.para("Units sold over time (time → units so far):".into());
        out.0.push(Block::List(timelines));
    }

    let q = &r.questions;
    out.heading("Questions");
    let median = q.median_answer_seconds.map_or_else(|| "none answered".into(), clock);
    out.para(format!(
        "{} asked, {} answered ({} by a canned reply, {} marked handled), {} unanswered. Median time to answer: {median}.",
        q.asked, q.answered, q.answered_by_canned_reply, q.marked_handled, q.unanswered
    ));
    if !q.top.is_empty() {
        out.sub("Most asked".into());
        let rows: Vec<Vec<String>> = q
            .top
            .iter()
            .map(|g| {
                vec![
                    g.text.clone(),
                    g.count.to_string(),
                    g.askers.to_string(),
                    g.answered.to_string(),
                    if g.canned_replies.is_empty() { "none".into() } else { g.canned_replies.join(", ") },
                    clock(g.first_after_seconds),
                ]
            })
            .collect();
        out.table(
            &["Question", "Asked", "Viewers", "Answered", "Canned reply", "First at"],
            &[false, true, true, true, false, true],
            &rows,
        );
    }
    if !q.unanswered_list.is_empty() {
        let more = if q.unanswered > q.unanswered_list.len() {
            format!(" (the first {} of {})", q.unanswered_list.len(), q.unanswered)
        } else {
            String::new()
        };
        out.sub(format!("Unanswered{more}"));
        let rows: Vec<Vec<String>> = q
            .unanswered_list
            .iter()
            .map(|u| {
                vec![
                    clock(u.after_seconds),
                    u.user.clone(),
                    u.region.clone().unwrap_or_else(|| "-".into()),
                    u.text.clone(),
                ]
            })
            .collect();
        out.table(&["At", "Viewer", "Region", "Question"], &[true, false, false, false], &rows);
    }
    out.sub("Shipping questions by region".into());
    if r.cant_ship.is_empty() {
        out.para("No buyers the shop cannot ship to.".into());
    } else {
        out.para(
            "Comments from buyers the shop cannot ship to (tagged can't ship), by the viewer's region: the time the shop spends on buyers it cannot serve."
                .into(),
        );
        let rows: Vec<Vec<String>> = r
            .cant_ship
            .iter()
            .map(|c| {
                vec![
                    c.region.clone(),
                    c.comments.to_string(),
                    c.viewers.to_string(),
                    c.answered.to_string(),
                    c.replies.to_string(),
                    c.buyers.to_string(),
                ]
            })
            .collect();
        out.table(
            &["Region", "Comments", "Viewers", "Answered", "Replies sent", "Bought anyway"],
            &[false, true, true, true, true, true],
            &rows,
        );
    }

    out.heading("Canned replies");
    out.para(format!(
        "Orders after a reply: live orders by the viewer it answered, within {REPLY_TO_ORDER_MINUTES} minutes after it (an order counts for the latest reply only)."
    ));
    let rows: Vec<Vec<String>> = r
        .replies
        .iter()
        .map(|p| {
            vec![
                p.key.clone(),
                p.title.clone(),
                p.uses.to_string(),
                p.viewers.to_string(),
                p.orders_after.to_string(),
                amount(p.revenue_after, cur),
            ]
        })
        .collect();
    out.table(
        &["Key", "Reply", "Uses", "Viewers", "Orders after", "Revenue after"],
        &[false, false, true, true, true, true],
        &rows,
    );

    if !r.operators.is_empty() {
        out.heading("The team");
        out.para("What each operator did, as the journal names it: replies sent, claims confirmed, notes written, and every action.".into());
        let rows: Vec<Vec<String>> = r
            .operators
            .iter()
            .map(|o| {
                let c = &o.credit;
                let n = |v: u64| v.to_string();
                vec![o.name.clone(), n(c.answers), n(c.confirmations), n(c.notes), n(c.actions)]
            })
            .collect();
        out.table(
            &["Operator", "Answers", "Confirmations", "Notes", "Actions"],
            &[false, true, true, true, true],
            &rows,
        );
    }

    let c = &r.customers;
    out.heading("Customers");
    out.para(format!("{} new, {} returning (bought in an earlier stored stream).", c.new, c.returning));
    if !c.top.is_empty() {
        out.sub("Top buyers".into());
        let rows: Vec<Vec<String>> = c
            .top
            .iter()
            .map(|b| {
                vec![
                    b.name.clone(),
                    b.region.clone().unwrap_or_else(|| "-".into()),
                    b.orders.to_string(),
                    b.units.to_string(),
                    amount(b.spend, cur),
                    if b.returning { "returning".into() } else { "new".into() },
                    b.comments.to_string(),
                    b.notes.clone(),
                ]
            })
            .collect();
        out.table(
            &["Buyer", "Region", "Orders", "Units", "Spend", "Customer", "Comments", "Notes"],
            &[false, false, true, true, true, false, true, false],
            &rows,
        );
    }
    out.0
}

/// How far the feed can be trusted: what it lost, repeated, and when it went quiet.
fn feed_health(out: &mut Doc, h: &FeedHealthFigures) {
    out.heading("Feed health");
    out.para(match h.quiet_after_seconds {
        Some(after) => format!(
            "A quiet spell: no comment for {} or more while {} or more viewers watched, from the last comment to the next.",
            clock(after as i64),
            h.quiet_min_viewers
        ),
        None => "Quiet spells are not watched (quiet_after = \"off\").".into(),
    });
    let quiet = if h.spells.is_empty() {
        "none".into()
    } else {
        format!(
            "{}, {} in all, the longest {}",
            h.quiet_spells,
            clock(h.quiet_seconds as i64),
            clock(h.longest_quiet_seconds as i64)
        )
    };
    let rows = vec![
        vec!["Reconnects".into(), h.reconnects.to_string()],
        vec!["Gaps".into(), format!("{} ({} events missed)", h.gaps, h.missed)],
        vec!["Repeats dropped".into(), h.duplicates.to_string()],
        vec!["Unreadable frames".into(), h.malformed.to_string()],
        vec!["Numbering restarted".into(), h.renumbered.to_string()],
        vec!["Quiet spells".into(), quiet],
    ];
    out.table(&["Figure", "Value"], &[false, true], &rows);
    if !h.spells.is_empty() {
        let rows: Vec<Vec<String>> = h
            .spells
            .iter()
            .map(|s| vec![clock(s.after_seconds), clock(s.seconds as i64), s.viewers.to_string()])
            .collect();
        out.table(&["From", "Quiet for", "Viewers"], &[true, true, true], &rows);
    }
}
