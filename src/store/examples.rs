//! The shop's labelled examples across streams: every reply the operator sent to a comment
//! and every fix of its tags, one row each, keyed by the session and the example's place in
//! it. A rebuilt session makes its examples again from its journal: written with
//! `INSERT OR IGNORE`, the ones already kept stay once, and the ones a crash kept from the
//! disk are written now.

use rusqlite::{Connection, Transaction, params};

use super::stamp;
use crate::desk::learned::Example;
use crate::text::normalize;

/// The table, created next to the journal's.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS examples (
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    n           INTEGER NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT NOT NULL,
    lang        TEXT,
    tags        TEXT NOT NULL,
    fixed       TEXT NOT NULL,
    reply       TEXT,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
";

/// Most examples a desk starts with: the newest, which is more than its memory keeps of
/// distinct comments, so what it forgets is the least recent either way.
pub const LOADED: usize = 50_000;

/// Keeps one example of `session` (once, however often a rebuild makes it again).
pub(super) fn write(
    tx: &Transaction<'_>,
    session: i64,
    at: chrono::DateTime<chrono::Utc>,
    e: &Example,
) -> anyhow::Result<()> {
    let mut put = tx.prepare_cached(
        "INSERT OR IGNORE INTO examples (session_id, n, at, text, lang, tags, fixed, reply)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let n = i64::try_from(e.n)?;
    let (tags, fixed) = (serde_json::to_string(&e.tags)?, serde_json::to_string(&e.fixed)?);
    put.execute(params![session, n, stamp(at), e.text, e.lang, tags, fixed, e.reply])?;
    Ok(())
}

/// The newest [`LOADED`] examples of every session but `except` (the one being rebuilt
/// brings its own), oldest first.
pub(super) fn load(conn: &Connection, except: Option<i64>) -> anyhow::Result<Vec<Example>> {
    let mut stmt = conn.prepare(
        "SELECT n, text, lang, tags, fixed, reply FROM examples WHERE session_id IS NOT ?1
         ORDER BY session_id DESC, n DESC LIMIT ?2",
    )?;
    let limit = i64::try_from(LOADED)?;
    let rows = stmt.query_map(params![except, limit], |r| {
        let tags: String = r.get(3)?;
        let fixed: String = r.get(4)?;
        Ok(Example {
            n: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            // Kept as the desk read it then; read again now, so an example kept under an
            // older reading ("cuteee" as typed) still meets the comments read today.
            text: normalize(&r.get::<_, String>(1)?),
            lang: r.get(2)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            fixed: serde_json::from_str(&fixed).unwrap_or_default(),
            reply: r.get(5)?,
        })
    })?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::learned::Memory;

    #[test]
    fn an_example_kept_under_the_older_reading_meets_todays_comment_as_the_same_words() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE sessions (id INTEGER PRIMARY KEY); INSERT INTO sessions VALUES (1);",
        )
        .unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        let tx = conn.transaction().unwrap();
        // Letters as typed: how answers were kept before stretched letters were read once.
        let kept = Example {
            n: 1,
            text: "so cuteee are they vegan".into(),
            lang: None,
            tags: vec!["question".into()],
            fixed: vec![],
            reply: Some("vegan".into()),
        };
        write(&tx, 1, chrono::Utc::now(), &kept).unwrap();
        tx.commit().unwrap();
        let loaded = load(&conn, None).unwrap();
        assert_eq!(loaded[0].text, "so cute are they vegan");
        let memory = Memory::of(loaded);
        let hit = memory.answered(&normalize("so CUTEEE!! are they vegan?")).unwrap();
        assert_eq!(hit.reply, "vegan");
        assert!(hit.similarity > 0.999, "the same words, found {}", hit.similarity);
    }
}
