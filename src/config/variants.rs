//! The catalogue's variants and codes, checked: a claim must name one product or variant,
//! and a variant is sold by its own SKU, so every SKU and code is unique, no code reads as
//! another product's name, and a product's stock is either its own or its variants'.

use std::collections::HashMap;

use super::error::Seg;
use super::model::Catalog;
use super::validate::Checker;
use crate::text::normalize;

/// The longest code: codes are typed fast in a busy chat.
const CODE_MAX: usize = 6;

impl Checker<'_, '_> {
    /// Stock where it belongs, and each variant with a SKU no other product or variant has,
    /// a name, and words for it that name one variant of its product only.
    pub(super) fn variants(&mut self, c: &Catalog) {
        let mut skus: HashMap<&str, usize> = HashMap::new();
        for (i, p) in c.products.iter().enumerate() {
            skus.entry(p.sku.as_str()).or_insert(i);
        }
        for (i, p) in c.products.iter().enumerate() {
            let has_stock = self.has_key(i, "stock");
            if p.variants.is_empty() && !has_stock {
                self.at(
                    &[Seg::Key("product"), Seg::Index(i)],
                    "missing field `stock`",
                    "add `stock = 10` here, or [[product.variant]] entries with their own stock",
                );
            } else if !p.variants.is_empty() && has_stock {
                self.at(
                    &[Seg::Key("product"), Seg::Index(i), Seg::Key("stock")],
                    format!("`{}` has variants: its stock is theirs, summed", p.sku),
                    "remove this line and give each [[product.variant]] its own stock",
                );
            }
            let mut words: HashMap<String, usize> = HashMap::new();
            for (k, v) in p.variants.iter().enumerate() {
                let at = |field| {
                    [Seg::Key("product"), Seg::Index(i), Seg::Key("variant"), Seg::Index(k), Seg::Key(field)]
                };
                if v.sku.trim().is_empty() {
                    self.at(&at("sku"), "variant sku is empty", "write the platform's SKU for this variant");
                } else if let Some(&j) = skus.get(v.sku.as_str()) {
                    let line = self.line_at(&[Seg::Key("product"), Seg::Index(j), Seg::Key("sku")]);
                    self.at(
                        &at("sku"),
                        format!("duplicate sku `{}` (first on line {line})", v.sku),
                        "give each variant the platform's own SKU for it",
                    );
                } else {
                    skus.insert(v.sku.as_str(), i);
                }
                let names = std::iter::once((&v.name, at("name").to_vec())).chain(
                    v.aliases.iter().enumerate().map(|(a, alias)| {
                        let path = [Seg::Key("product"), Seg::Index(i), Seg::Key("variant"), Seg::Index(k)];
                        (alias, [&path[..], &[Seg::Key("aliases"), Seg::Index(a)]].concat())
                    }),
                );
                for (word, path) in names.collect::<Vec<_>>() {
                    let key = normalize(word);
                    if key.is_empty() {
                        self.at(
                            &path,
                            format!("`{word}` is empty once emoji and punctuation are dropped"),
                            "write the word viewers use for this variant, like \"medium\" or \"m\"",
                        );
                        continue;
                    }
                    match words.get(&key) {
                        Some(&other) if other != k => {
                            self.at(
                                &path,
                                format!(
                                    "`{word}` also names variant `{}` of `{}`",
                                    p.variants[other].sku, p.sku
                                ),
                                "give each variant its own words: a claim must name one variant",
                            );
                        }
                        Some(_) => {}
                        None => {
                            words.insert(key, k);
                        }
                    }
                }
            }
        }
    }

    /// Codes: letters and digits with at least one letter (a number is a quantity), each
    /// naming one product or variant, and none that is another product's sku, name or alias.
    pub(super) fn codes(&mut self, c: &Catalog) {
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, p) in c.products.iter().enumerate() {
            for key in [&p.sku, &p.name].into_iter().chain(&p.aliases) {
                names.entry(normalize(key)).or_insert(i);
            }
        }
        // (normalized code → the line it was first given on)
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, p) in c.products.iter().enumerate() {
            let own = p
                .code
                .as_ref()
                .map(|code| (code, vec![Seg::Key("product"), Seg::Index(i), Seg::Key("code")]));
            let of_variants = p.variants.iter().enumerate().filter_map(|(k, v)| {
                let path = vec![
                    Seg::Key("product"),
                    Seg::Index(i),
                    Seg::Key("variant"),
                    Seg::Index(k),
                    Seg::Key("code"),
                ];
                v.code.as_ref().map(|code| (code, path))
            });
            for (code, path) in own.into_iter().chain(of_variants).collect::<Vec<_>>() {
                let key = code.to_lowercase();
                let well_formed = !key.is_empty()
                    && key.chars().count() <= CODE_MAX
                    && key.chars().all(char::is_alphanumeric)
                    && key.chars().any(char::is_alphabetic)
                    && normalize(&key) == key
                    && !reads_as_quantity(&key);
                if !well_formed {
                    self.at(
                        &path,
                        format!("code `{code}` is not 1 to {CODE_MAX} letters and digits with a letter"),
                        "write a short code like \"AA\" or \"B2\" (\"2\", \"x2\" and \"2x\" read as quantities)",
                    );
                    continue;
                }
                let line = self.line_at(&path);
                if let Some(first) = seen.get(&key) {
                    self.at(
                        &path,
                        format!("duplicate code `{code}` (first on line {first})"),
                        "give each product and variant its own code",
                    );
                    continue;
                }
                seen.insert(key.clone(), line);
                if let Some(&j) = names.get(&key).filter(|&&j| j != i) {
                    let line = self.line_at(&[Seg::Key("product"), Seg::Index(j), Seg::Key("sku")]);
                    self.at(
                        &path,
                        format!("code `{code}` is also how `{}` is named (line {line})", c.products[j].sku),
                        "pick a code no product's sku, name or alias reads as",
                    );
                }
            }
        }
    }

    /// Whether product `i` of the document writes `key` itself (a default would hide it).
    fn has_key(&self, i: usize, key: &str) -> bool {
        let product = self.doc.get_ref().get("product").and_then(|v| v.get_ref().as_array()?.get(i));
        product.and_then(|p| p.get_ref().as_table()).is_some_and(|t| t.get(key).is_some())
    }
}

/// Whether a code is how a claim writes a quantity ("x2", "2x"): it would be read as one.
fn reads_as_quantity(code: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    code.strip_prefix('x').is_some_and(digits) || code.strip_suffix('x').is_some_and(digits)
}

#[cfg(test)]
mod tests {
    use crate::config::theme::EnvInfo;
    use crate::config::{Paths, load};

    const CATALOG: &str = "currency = \"GBP\"\n\
        [[product]]\nsku = \"ALMOND\"\nname = \"Almond nails\"\nprice = \"8.99\"\ncode = \"AA\"\naliases = [\"almond\"]\n\
        [[product.variant]]\nsku = \"ALMOND-S\"\nname = \"small\"\nstock = 3\ncode = \"AS\"\n\
        [[product.variant]]\nsku = \"ALMOND-M\"\nname = \"medium\"\naliases = [\"m\"]\nstock = 2\n\
        [[product]]\nsku = \"MUG\"\nname = \"Mug\"\nprice = \"5.00\"\nstock = 4\n";

    /// `catalog.toml` read alone: its products, or its errors as `line:col: message (fix)`.
    fn read(text: &str) -> Result<crate::config::model::Catalog, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("catalog.toml"), text).unwrap();
        let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
        match load(&paths, &EnvInfo { no_color: false, truecolor: true }) {
            Ok(config) => Ok(config.shop.catalog),
            Err(errs) => Err(errs
                .0
                .iter()
                .map(|e| format!("{}:{}: {} ({})", e.line, e.col, e.message, e.fix))
                .collect()),
        }
    }

    fn errors(text: &str) -> Vec<String> {
        read(text).expect_err("the catalogue should not load")
    }

    #[test]
    fn a_product_with_variants_loads_with_their_stock_summed() {
        let c = read(CATALOG).unwrap_or_else(|e| panic!("{e:?}"));
        let almond = &c.products[0];
        assert_eq!(almond.code.as_deref(), Some("AA"));
        assert_eq!(almond.variants.len(), 2);
        assert_eq!((almond.stock, almond.total_stock()), (0, 5));
        assert_eq!(almond.variants[1].aliases, ["m"]);
        assert_eq!(c.products[1].total_stock(), 4);
    }

    #[test]
    fn variant_keys_and_stock_errors_are_located_with_their_fix() {
        let got = errors(&CATALOG.replace("stock = 3\n", "stock = 3\ncolour = \"red\"\n"));
        assert_eq!(
            got,
            ["12:1: unknown field `colour` (remove it or use one of: sku, name, stock, aliases, code)"]
        );
        let got = errors(&CATALOG.replace("stock = 2\n", ""));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("missing field `stock`"), "{got:?}");
        let got = errors(&CATALOG.replace("sku = \"ALMOND-M\"\n", ""));
        assert!(got[0].contains("missing field `sku`"), "{got:?}");
        let got = errors(&CATALOG.replace("code = \"AA\"\n", "code = \"AA\"\nstock = 5\n"));
        assert_eq!(
            got,
            ["7:9: `ALMOND` has variants: its stock is theirs, summed \
              (remove this line and give each [[product.variant]] its own stock)"]
        );
        let got = errors(&CATALOG.replace("stock = 4\n", ""));
        assert_eq!(
            got,
            [
                "18:1: missing field `stock` (add `stock = 10` here, or [[product.variant]] entries with their own stock)"
            ]
        );
        let got = errors(&CATALOG.replace("\"ALMOND-M\"", "\"MUG\""));
        assert_eq!(
            got,
            [
                "14:7: duplicate sku `MUG` (first on line 19) (give each variant the platform's own SKU for it)"
            ]
        );
        let got = errors(&CATALOG.replace("[\"m\"]", "[\"small\", \"💅\"]"));
        assert_eq!(
            got,
            [
                "16:12: `small` also names variant `ALMOND-S` of `ALMOND` \
                 (give each variant its own words: a claim must name one variant)",
                "16:21: `💅` is empty once emoji and punctuation are dropped \
                 (write the word viewers use for this variant, like \"medium\" or \"m\")",
            ]
        );
    }

    #[test]
    fn codes_are_unique_well_formed_and_no_other_products_name() {
        let mug = |code: &str| CATALOG.replace("stock = 4\n", &format!("stock = 4\ncode = \"{code}\"\n"));
        assert_eq!(
            errors(&mug("as")),
            ["23:8: duplicate code `as` (first on line 12) (give each product and variant its own code)"]
        );
        assert_eq!(
            errors(&mug("Almond")),
            [
                "23:8: code `Almond` is also how `ALMOND` is named (line 3) (pick a code no product's sku, name or alias reads as)"
            ]
        );
        for bad in ["22", "x2", "2X", "A-1", "", "TOOLONGX"] {
            let got = errors(&mug(bad));
            assert_eq!(got.len(), 1, "{bad:?}: {got:?}");
            assert!(got[0].starts_with("23:8: code `"), "{bad:?}: {got:?}");
            assert!(got[0].contains("is not 1 to 6 letters and digits with a letter"), "{got:?}");
        }
        // Its own product's name is fine for a code: it names the same thing.
        assert!(read(&CATALOG.replace("code = \"AA\"", "code = \"almond\"")).is_ok());
        assert!(read(&mug("b2")).is_ok());
    }
}
