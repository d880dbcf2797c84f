//! `giveaways.toml`: ids, prizes, keywords an entry can be written with, and sane numbers.

use super::{Checker, earlier_twins, template_fields};
use crate::config::error::{Seg, span_at};
use crate::config::model::{GIVEAWAY_START_FIELDS, GIVEAWAY_WINNERS_FIELDS, GiveawaySpec, GiveawaysPlan};
use crate::text::normalize;

/// The longest `min_watch_seconds`: four hours, a long stream.
pub const MAX_WATCH_SECONDS: u32 = 4 * 3600;

impl Checker<'_, '_> {
    /// `giveaways.toml`: unique ids, a prize, a keyword that survives normalizing, 1 to 100
    /// winners, a countdown of 10 to 3600 seconds, and texts with only known fields.
    pub fn giveaways(&mut self, plan: &GiveawaysPlan) {
        let twins = earlier_twins(plan.giveaways.iter().map(|g| g.id.as_str()));
        for (i, g) in plan.giveaways.iter().enumerate() {
            let at = |field| [Seg::Key("giveaway"), Seg::Index(i), Seg::Key(field)];
            if g.id.trim().is_empty() || g.id.chars().any(char::is_whitespace) {
                self.at(
                    &at("id"),
                    format!("giveaway id `{}` must be a word with no spaces", g.id),
                    "write a short name like \"glue-kit\"",
                );
            } else if let Some(first) = twins[i] {
                let line = self.line_at(&[Seg::Key("giveaway"), Seg::Index(first), Seg::Key("id")]);
                self.at(
                    &at("id"),
                    format!("duplicate giveaway id `{}` (first on line {line})", g.id),
                    "give each giveaway its own id",
                );
            }
            if g.prize.trim().is_empty() {
                self.at(
                    &at("prize"),
                    "giveaway prize is empty",
                    "write what is won, like \"a nail glue kit\"",
                );
            }
            if normalize(&g.keyword).is_empty() {
                self.at(
                    &at("keyword"),
                    format!("giveaway keyword `{}` has no letters or digits", g.keyword),
                    "write the word viewers comment to enter, like keyword = \"giveaway\"",
                );
            }
            if !(1..=100).contains(&g.winners) {
                self.at(
                    &at("winners"),
                    format!("giveaway winners must be from 1 to 100, found {}", g.winners),
                    "write how many viewers win, like winners = 1",
                );
            }
            if !(10..=3600).contains(&g.seconds) {
                self.at(
                    &at("seconds"),
                    format!("giveaway seconds must be from 10 to 3600, found {}", g.seconds),
                    "write how long entries are taken, in seconds, like seconds = 120",
                );
            }
            if g.min_watch_seconds > MAX_WATCH_SECONDS {
                self.at(
                    &at("min_watch_seconds"),
                    format!(
                        "min_watch_seconds must be at most {MAX_WATCH_SECONDS}, found {}",
                        g.min_watch_seconds
                    ),
                    "write how long a viewer must have watched, like min_watch_seconds = 300, or remove the line",
                );
            }
            self.giveaway_texts(g, i);
        }
    }

    /// A giveaway's own texts: not empty when given, and only the fields each may use.
    fn giveaway_texts(&mut self, g: &GiveawaySpec, i: usize) {
        let texts = [
            ("start_text", g.start_text.as_deref(), &GIVEAWAY_START_FIELDS[..]),
            ("winners_text", g.winners_text.as_deref(), &GIVEAWAY_WINNERS_FIELDS[..]),
        ];
        for (field, text, allowed) in texts {
            let Some(text) = text else { continue };
            let path = [Seg::Key("giveaway"), Seg::Index(i), Seg::Key(field)];
            if text.trim().is_empty() {
                self.at(&path, format!("giveaway {field} is empty"), "write the message, or remove the line");
            }
            for name in template_fields(text) {
                if allowed.contains(&name) {
                    continue;
                }
                let value = span_at(self.doc, &path);
                let needle = format!("{{{name}}}");
                let offset = self.src.text.get(value.clone()).and_then(|raw| raw.find(&needle));
                let span = offset.map_or(value.clone(), |o| value.start + o..value.start + o);
                let known: Vec<String> = allowed.iter().map(|f| format!("{{{f}}}")).collect();
                self.errors.push(self.src.error(
                    span,
                    format!("unknown field `{needle}` in the giveaway {field}"),
                    format!("use {}", known.join(", ")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{EnvInfo, load};

    use super::super::testing::dir_with;

    fn errors(giveaways: &str) -> Vec<(String, String)> {
        super::super::testing::errors("giveaways.toml", giveaways)
    }

    #[test]
    fn giveaway_errors_are_located_with_their_fix() {
        let got = errors(
            "[[giveaway]]\nid = \"a\"\nprize = \" \"\nkeyword = \"!!\"\nseconds = 5\nwinners = 0\n\
             [[giveaway]]\nid = \"a\"\nprize = \"a kit\"\nkeyword = \"win\"\nseconds = 3601\n\
             min_watch_seconds = 20000\nwinners_text = \"{winners} won {price}\"\n\
             start_text = \"win {prize} in {time_left}, seed {seed}\"\n",
        );
        let messages: Vec<&str> = got.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "giveaways.toml:3:9: giveaway prize is empty",
                "giveaways.toml:4:11: giveaway keyword `!!` has no letters or digits",
                "giveaways.toml:6:11: giveaway winners must be from 1 to 100, found 0",
                "giveaways.toml:5:11: giveaway seconds must be from 10 to 3600, found 5",
                "giveaways.toml:8:6: duplicate giveaway id `a` (first on line 2)",
                "giveaways.toml:11:11: giveaway seconds must be from 10 to 3600, found 3601",
                "giveaways.toml:12:21: min_watch_seconds must be at most 14400, found 20000",
                "giveaways.toml:14:48: unknown field `{seed}` in the giveaway start_text",
                "giveaways.toml:13:31: unknown field `{price}` in the giveaway winners_text",
            ]
        );
        assert_eq!(got[7].1, "use {prize}, {keyword}, {time_left}, {count}");
        let (_, fix) = &errors("[[giveaway]]\nid = \"a\"\nprize = \"kit\"\nkeyword = \"win\"\n")[0];
        assert!(fix.contains("seconds"), "a missing field names itself: {fix}");
    }

    #[test]
    fn a_good_file_loads_and_an_own_catalog_has_no_built_in_giveaways() {
        let file = "[[giveaway]]\nid = \"kit\"\nprize = \"a kit\"\nkeyword = \"win\"\nseconds = 60\n\
                    followers_only = true\nmin_watch_seconds = 300\n";
        let (_dir, paths) = dir_with(&[("giveaways.toml", file)]);
        let config = load(&paths, &EnvInfo::default()).unwrap_or_else(|e| panic!("{e}"));
        let g = &config.shop.giveaways.giveaways[0];
        assert_eq!((g.winners, g.followers_only, g.min_watch_seconds), (1, true, 300));

        let (_dir, paths) = dir_with(&[]);
        let builtin = load(&paths, &EnvInfo::default()).unwrap();
        assert_eq!(builtin.shop.giveaways.giveaways[0].id, "glue-kit", "the demo shop has one");
        let (_dir, paths) = dir_with(&[("catalog.toml", "currency = \"EUR\"\n")]);
        let own = load(&paths, &EnvInfo::default()).unwrap();
        assert!(own.shop.giveaways.giveaways.is_empty(), "the demo's prize is not this shop's");
    }
}
