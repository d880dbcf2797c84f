//! `show.toml`: each cue one thing, naming a product, sale or giveaway the other files have,
//! and times that read.

use super::Checker;
use crate::config::error::Seg;
use crate::config::model::{Catalog, CueKind, GiveawaysPlan, SalesPlan, ShowPlan, parse_cue_at};

/// The longest a product cue may plan for: five hours, a long stream.
const MAX_MINUTES: u32 = 300;

/// The files a show's cues point into.
pub struct ShowRefs<'a> {
    pub catalog: Option<&'a Catalog>,
    pub sales: Option<&'a SalesPlan>,
    pub giveaways: Option<&'a GiveawaysPlan>,
}

impl Checker<'_, '_> {
    /// `show.toml`: exactly one of product, sale, giveaway or say per cue, each a name the
    /// other files know; points and minutes only on a product, `at` only on a say, `start`
    /// only on a sale or giveaway.
    pub fn show(&mut self, plan: &ShowPlan, refs: &ShowRefs<'_>) {
        for (i, cue) in plan.cues.iter().enumerate() {
            let at = |field| [Seg::Key("cue"), Seg::Index(i), Seg::Key(field)];
            let kinds = cue.kinds();
            match kinds.as_slice() {
                [] => self.at(
                    &[Seg::Key("cue"), Seg::Index(i)],
                    format!("cue {} names nothing to do", i + 1),
                    "give it one of product = \"SKU\", sale = \"plan-id\", giveaway = \"id\" or say = \"text\"",
                ),
                [first, second, ..] => self.at(
                    &at(field_of(second)),
                    format!("cue {} has both `{}` and `{}`: a cue is one thing", i + 1, field_of(first), field_of(second)),
                    "split it into two [[cue]] entries, in the order they happen",
                ),
                [_] => {}
            }
            for kind in &kinds {
                self.cue_ref(kind, &at(field_of(kind)), refs);
            }
            if cue.start && cue.sale.is_none() && cue.giveaway.is_none() {
                self.at(
                    &at("start"),
                    "`start` goes with a sale or giveaway cue: a product or say has nothing to start",
                    "remove the line, or put it on the [[cue]] with the sale = \"...\" or giveaway = \"...\" to start",
                );
            }
            let product = cue.product.is_some();
            if !product && !cue.points.is_empty() {
                self.at(
                    &at("points"),
                    "points go with a product cue",
                    "move them to the product's [[cue]], or remove the line",
                );
            }
            if let Some(m) = cue.minutes {
                if !product {
                    self.at(
                        &at("minutes"),
                        "minutes go with a product cue",
                        "move it to the product's [[cue]], or remove the line",
                    );
                } else if !(1..=MAX_MINUTES).contains(&m) {
                    self.at(
                        &at("minutes"),
                        format!("minutes must be from 1 to {MAX_MINUTES}, found {m}"),
                        "write how long the host means to spend on it, like minutes = 10",
                    );
                }
            }
            for (n, point) in cue.points.iter().enumerate() {
                if point.trim().is_empty() {
                    let path = [Seg::Key("cue"), Seg::Index(i), Seg::Key("points"), Seg::Index(n)];
                    self.at(&path, "a talking point is empty", "write it, or take it out of the list");
                }
            }
            if let Some(text) = &cue.say
                && text.trim().is_empty()
            {
                self.at(
                    &at("say"),
                    "the cue's say is empty",
                    "write what the host says, like say = \"Free shipping over £30\"",
                );
            }
            if let Some(time) = &cue.at {
                if cue.say.is_none() {
                    self.at(
                        &at("at"),
                        "`at` goes with a say cue",
                        "put it beside a say = \"...\", or remove the line",
                    );
                } else if let Err(e) = parse_cue_at(time) {
                    self.at(
                        &at("at"),
                        format!("at {e}"),
                        "write minutes:seconds from the start of the show, like at = \"12:30\"",
                    );
                }
            }
        }
    }

    /// A cue's product, sale or giveaway must be one its file has.
    fn cue_ref(&mut self, kind: &CueKind<'_>, path: &[Seg<'_>], refs: &ShowRefs<'_>) {
        let (what, file, known): (&str, &str, Option<Vec<&str>>) = match *kind {
            CueKind::Product(_) => (
                "product with sku",
                "catalog.toml",
                refs.catalog.map(|c| c.products.iter().map(|p| p.sku.as_str()).collect()),
            ),
            CueKind::Sale(_) => {
                ("sale", "sales.toml", refs.sales.map(|s| s.sales.iter().map(|s| s.id.as_str()).collect()))
            }
            CueKind::Giveaway(_) => (
                "giveaway",
                "giveaways.toml",
                refs.giveaways.map(|g| g.giveaways.iter().map(|g| g.id.as_str()).collect()),
            ),
            CueKind::Say(_) => return,
        };
        let name = match *kind {
            CueKind::Product(n) | CueKind::Sale(n) | CueKind::Giveaway(n) | CueKind::Say(n) => n,
        };
        // A file that did not read has its own errors: its names are not checked against.
        let Some(known) = known else { return };
        if known.contains(&name) {
            return;
        }
        let fix = if known.is_empty() {
            format!("add it to {file} first, or remove the cue")
        } else {
            format!("use one of {file}: {}", known.join(", "))
        };
        self.at(path, format!("no {what} `{name}` in {file}"), fix);
    }
}

fn field_of(kind: &CueKind<'_>) -> &'static str {
    match kind {
        CueKind::Product(_) => "product",
        CueKind::Sale(_) => "sale",
        CueKind::Giveaway(_) => "giveaway",
        CueKind::Say(_) => "say",
    }
}

#[cfg(test)]
mod tests {
    use crate::config::load::load_show;
    use crate::config::{EnvInfo, load};

    use super::super::testing::dir_with;

    fn errors(show: &str) -> Vec<(String, String)> {
        super::super::testing::errors("show.toml", show)
    }

    #[test]
    fn show_errors_are_located_with_their_fix() {
        let got = errors(
            "[[cue]]\nproduct = \"NOPE\"\n\
             [[cue]]\nsale = \"half-off\"\n\
             [[cue]]\ngiveaway = \"moon\"\n\
             [[cue]]\nsay = \"hi\"\nat = \"5:75\"\n\
             [[cue]]\nsay = \"hi\"\nat = \"soon\"\n\
             [[cue]]\nproduct = \"ALMOND-PINK\"\nsale = \"almond-rush\"\n\
             [[cue]]\nsale = \"almond-rush\"\npoints = [\"x\"]\n\
             [[cue]]\nproduct = \"ALMOND-PINK\"\nminutes = 0\nat = \"1:00\"\n\
             [[cue]]\nproduct = \"ALMOND-PINK\"\nstart = true\n\
             [[cue]]\nsay = \"go\"\nstart = true\n\
             [[cue]]\nsale = \"almond-rush\"\nstart = true\n\
             [[cue]]\ngiveaway = \"glue-kit\"\nstart = true\n",
        );
        let messages: Vec<&str> = got.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "show.toml:2:11: no product with sku `NOPE` in catalog.toml",
                "show.toml:4:8: no sale `half-off` in sales.toml",
                "show.toml:6:12: no giveaway `moon` in giveaways.toml",
                "show.toml:9:6: at `5:75` has 75 seconds; write 0 to 59 after the colon",
                "show.toml:12:6: at `soon` is not a time like \"12:30\" (minutes:seconds from the start of the show)",
                "show.toml:15:8: cue 6 has both `product` and `sale`: a cue is one thing",
                "show.toml:18:10: points go with a product cue",
                "show.toml:21:11: minutes must be from 1 to 300, found 0",
                "show.toml:22:6: `at` goes with a say cue",
                "show.toml:25:9: `start` goes with a sale or giveaway cue: a product or say has nothing to start",
                "show.toml:28:9: `start` goes with a sale or giveaway cue: a product or say has nothing to start",
            ]
        );
        assert_eq!(
            got[0].1,
            "use one of catalog.toml: ALMOND-PINK, COFFIN-NUDE, STILETTO-RED, SQUARE-FRENCH, OVAL-GLITTER, NAIL-GLUE-KIT"
        );
        assert_eq!(got[1].1, "use one of sales.toml: almond-rush, coffin-flash, glue-bundle");
        assert_eq!(got[5].1, "split it into two [[cue]] entries, in the order they happen");
        assert_eq!(
            got[9].1,
            "remove the line, or put it on the [[cue]] with the sale = \"...\" or giveaway = \"...\" to start"
        );
        let (msg, fix) = &errors("[[cue]]\npoints = [\"x\"]\n")[0];
        assert!(msg.starts_with("show.toml:1:1: cue 1 names nothing to do"), "{msg}");
        assert!(fix.contains("say = \"text\""), "{fix}");
    }

    #[test]
    fn a_show_loads_from_the_config_dir_or_a_file_and_none_is_built_in() {
        let (_dir, paths) = dir_with(&[]);
        let builtin = load(&paths, &EnvInfo::default()).unwrap();
        assert!(builtin.shop.show.cues.is_empty(), "no show unless one is given");

        let show = "[[cue]]\nproduct = \"ALMOND-PINK\"\npoints = [\"blush pink\"]\nminutes = 5\n\
                    [[cue]]\nsay = \"Free shipping over £30\"\nat = \"75:00\"\n";
        let (_dir, paths) = dir_with(&[("show.toml", show)]);
        let config = load(&paths, &EnvInfo::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.shop.show.cues.len(), 2);
        assert_eq!(config.shop.show.cues[1].at.as_deref(), Some("75:00"));

        let (dir, paths) =
            dir_with(&[("plan.toml", "[[cue]]\nsale = \"glue-bundle\"\n[[cue]]\nsale = \"x\"\n")]);
        let errs = load_show(&dir.path().join("plan.toml"), &paths, &builtin.shop).expect_err("x is no sale");
        assert_eq!((errs.0.len(), errs.0[0].line), (1, 4));
        let demo = load_show(std::path::Path::new("demos/show.toml"), &paths, &builtin.shop)
            .unwrap_or_else(|e| panic!("the demo's show reads against the demo shop: {e}"));
        assert!(demo.cues.len() >= 4);
    }
}
