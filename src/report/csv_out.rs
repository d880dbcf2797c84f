//! The report's CSV files (orders, comments, customers), for a spreadsheet: UTF-8, a header
//! row, quoted where needed, and no cell a spreadsheet would run as a formula.

use std::io::Write;

use super::Report;
use super::collect::Answer;
use super::text::clock;
use crate::protocol::sanitize::is_dropped;
use crate::store::stamp;

/// A cell a spreadsheet will show as text: one starting with `=`, `+`, `-`, `@` (or a tab or
/// carriage return, which some read past) would be run as a formula, so it gets a leading `'`.
/// Viewer names and comments are untrusted: "=HYPERLINK(…)" must stay words.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| is_dropped(c) && c != '\n';
    if cell.chars().any(hidden) {
        // Controls and invisible characters (from a journal written before they were dropped).
        let visible: String = cell.chars().filter(|&c| !hidden(c)).collect();
        return guard(&visible).into_owned().into();
    }
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A CSV writer that guards every cell.
pub struct Sheet<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> Sheet<W> {
    /// A sheet with this header row.
    pub fn new(out: W, head: &[&str]) -> anyhow::Result<Self> {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
        w.write_record(head)?;
        Ok(Sheet { w })
    }

    /// One row; every cell guarded.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> anyhow::Result<()> {
        self.w.write_record(cells.iter().map(|c| guard(c.as_ref()).into_owned()))?;
        Ok(())
    }

    /// Flushes what is written.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

/// `orders.csv`: every order in arrival order, with its status at the end.
pub fn orders(r: &Report, out: impl Write) -> anyhow::Result<()> {
    let mut s = Sheet::new(
        out,
        &[
            "order_id",
            "at",
            "after",
            "user_id",
            "user",
            "region",
            "sku",
            "product",
            "qty",
            "unit_price",
            "total",
            "currency",
            "status",
            "flash_sale",
        ],
    )?;
    for o in &r.orders {
        s.row(&[
            o.order_id.clone(),
            stamp(o.at),
            clock(o.after_seconds),
            o.user_id.clone(),
            o.user.clone(),
            o.region.clone().unwrap_or_default(),
            o.sku.clone(),
            o.product.clone(),
            o.qty.to_string(),
            format!("{:.2}", o.unit_price),
            format!("{:.2}", super::money(o.total())),
            o.currency.clone(),
            o.status.to_owned(),
            o.flash_sale.clone().unwrap_or_default(),
        ])?;
    }
    s.finish()
}

/// `comments.csv`: every viewer comment, with its tags and how it was answered.
pub fn comments(r: &Report, out: impl Write) -> anyhow::Result<()> {
    let start = chrono::DateTime::parse_from_rfc3339(&r.session.started_at).map(|t| t.to_utc()).ok();
    let mut s = Sheet::new(
        out,
        &[
            "at",
            "after",
            "msg_id",
            "user_id",
            "user",
            "region",
            "kind",
            "tags",
            "text",
            "answered",
            "answered_after",
            "deleted",
            "suggested",
            "suggested_text",
        ],
    )?;
    for c in &r.comments {
        let after = |t: chrono::DateTime<chrono::Utc>| {
            start.map_or_else(String::new, |s| clock((t - s).num_seconds()))
        };
        let tags: Vec<&str> = c.tags.iter().map(|t| t.name()).collect();
        let (how, when) = match &c.answered {
            Some((at, how)) => {
                let how = match how {
                    Answer::Reply { id } => format!("reply {id}"),
                    Answer::ShopReply => "shop reply".into(),
                    Answer::Handled => "handled".into(),
                };
                (how, after(*at))
            }
            None => (String::new(), String::new()),
        };
        s.row(&[
            stamp(c.at),
            after(c.at),
            c.msg_id.clone(),
            c.user_id.clone(),
            c.user_name.clone(),
            c.region.clone().unwrap_or_default(),
            if c.platform_question { "question" } else { "comment" }.to_owned(),
            tags.join(" "),
            c.text.clone(),
            how,
            when,
            if c.deleted { "yes" } else { "" }.to_owned(),
            c.suggestion.as_ref().map_or_else(String::new, |(id, _)| id.clone()),
            c.suggestion.as_ref().and_then(|(_, text)| text.clone()).unwrap_or_default(),
        ])?;
    }
    s.finish()
}

/// `customers.csv`: every buyer of this stream, the biggest spenders first.
pub fn customers(r: &Report, out: impl Write) -> anyhow::Result<()> {
    let mut s = Sheet::new(
        out,
        &[
            "user_id", "name", "region", "orders", "units", "spend", "currency", "customer", "comments",
            "notes",
        ],
    )?;
    for b in &r.customers.all {
        s.row(&[
            b.user_id.clone(),
            b.name.clone(),
            b.region.clone().unwrap_or_default(),
            b.orders.to_string(),
            b.units.to_string(),
            format!("{:.2}", b.spend),
            r.session.currency.clone(),
            if b.returning { "returning" } else { "new" }.to_owned(),
            b.comments.to_string(),
            b.notes.clone(),
        ])?;
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_kept_as_text_and_read_back_whole() {
        let mut buf = Vec::new();
        let mut s = Sheet::new(&mut buf, &["a", "b", "c"]).unwrap();
        s.row(&["=HYPERLINK(\"http://x\",\"y\")", "+1, \"quoted\"\nline", "@sum"]).unwrap();
        s.row(&["-2", "plain", "emoji 💅"]).unwrap();
        s.finish().unwrap();
        let mut r = csv::Reader::from_reader(buf.as_slice());
        let rows: Vec<Vec<String>> =
            r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(rows[0], ["'=HYPERLINK(\"http://x\",\"y\")", "'+1, \"quoted\"\nline", "'@sum"]);
        assert_eq!(rows[1], ["'-2", "plain", "emoji 💅"]);
    }

    #[test]
    fn invisible_and_control_characters_never_reach_a_cell() {
        assert_eq!(guard("ma\u{fff9}ria\u{200b}\u{1b}"), "maria");
        assert_eq!(guard("\u{200b}=cmd()"), "'=cmd()", "a hidden formula is still a formula");
        assert_eq!(guard("two\nlines"), "two\nlines");
    }
}
