//! After the stream, the hand-off to packing: a stored session's paid orders bundled per
//! buyer (one parcel each) as a pick list, and the same orders as a CSV in a shipping label
//! tool's import layout. The orders are the desk's own at the end of the journal (a replay, as
//! the report does): their final status and quantity, claims confirmed into orders included.
//! Cancelled and refunded orders are left out, and so are placed ones not yet paid for.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::build::order_rows;
use super::collect::{self, Collected};
use super::csv_out::Sheet;
use super::money;
use crate::desk::DeskSetup;
use crate::desk::catalog::Catalog;
use crate::protocol::sanitize::sanitize;
use crate::store::{Archive, SessionInfo};

/// Longest buyer name or product name a pick list or a label gets (the platform's own
/// export holds the full one).
const NAME_CHARS: usize = 64;

/// One paid order, as it goes in a parcel.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub order_id: String,
    pub at: DateTime<Utc>,
    pub user_id: String,
    /// The buyer's name as last seen in the stream.
    pub user: String,
    pub region: Option<String>,
    pub sku: String,
    /// The product's name (for a variant, the product it is a size or colour of).
    pub product: String,
    /// The variant's own name ("medium"), for a product sold in variants.
    pub variant: Option<String>,
    pub qty: u32,
    pub unit_price: Decimal,
    pub currency: String,
    /// Units the shop had none of on hand when it was ordered (oversold): not on the shelf.
    pub short: u32,
}

impl Item {
    /// Quantity × unit price.
    pub fn total(&self) -> Decimal {
        self.unit_price * Decimal::from(self.qty)
    }

    /// The product and its variant as one name, as the catalogue's Stock pane writes it.
    pub fn full_name(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}, {v}", self.product),
            None => self.product.clone(),
        }
    }
}

/// One buyer's orders of the stream: what goes in their parcel.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    pub user_id: String,
    pub name: String,
    pub region: Option<String>,
    /// Their orders, in the order they came.
    pub items: Vec<Item>,
}

impl Bundle {
    pub fn units(&self) -> u32 {
        self.items.iter().map(|i| i.qty).sum()
    }

    /// What they paid, per currency (a stream is in one, but orders carry their own).
    pub fn totals(&self) -> BTreeMap<String, Decimal> {
        let mut t: BTreeMap<String, Decimal> = BTreeMap::new();
        for i in &self.items {
            *t.entry(i.currency.clone()).or_default() += i.total();
        }
        t.into_iter().map(|(c, v)| (c, money(v))).collect()
    }
}

/// Orders of the stream that do not go in a parcel, by why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub cancelled: usize,
    pub refunded: usize,
    /// Placed but not paid for when the journal ends.
    pub unpaid: usize,
}

/// Everything packing needs from one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Packing {
    pub session: i64,
    pub stream: Option<String>,
    /// Paid orders per buyer, buyers by name (then id).
    pub bundles: Vec<Bundle>,
    pub left_out: LeftOut,
}

impl Packing {
    pub fn orders(&self) -> usize {
        self.bundles.iter().map(|b| b.items.len()).sum()
    }

    pub fn units(&self) -> u32 {
        self.bundles.iter().map(Bundle::units).sum()
    }

    /// Every paid order in the order the bundles list them.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.bundles.iter().flat_map(|b| b.items.iter())
    }
}

/// The packing of stored session `info`, its journal replayed through a desk set up by
/// `setup` (the shop files as they are now, as the report uses them).
pub fn of_session(store: &dyn Archive, info: &SessionInfo, setup: DeskSetup) -> anyhow::Result<Packing> {
    let c = collect::collect(store, info.id, setup)?;
    let (items, left_out) = paid_items(&c);
    Ok(Packing { session: info.id, stream: info.stream.clone(), bundles: bundle(items), left_out })
}

/// The paid orders of a pass, in arrival order, and a count of the others.
fn paid_items(c: &Collected) -> (Vec<Item>, LeftOut) {
    let catalog = c.desk.catalog();
    let mut left = LeftOut::default();
    let mut items = Vec::new();
    for row in order_rows(c) {
        match row.status {
            "paid" => {}
            "cancelled" => {
                left.cancelled += 1;
                continue;
            }
            "refunded" => {
                left.refunded += 1;
                continue;
            }
            _ => {
                left.unpaid += 1;
                continue;
            }
        }
        let person = c.people.get(&row.user_id);
        let (product, variant) = names_of(catalog, &row.sku);
        let short = catalog.order(&row.order_id).map_or(0, |o| o.oversold());
        items.push(Item {
            user: person.map_or_else(|| row.user.clone(), |p| p.name.clone()),
            region: person.and_then(|p| p.region.clone()).or(row.region),
            order_id: row.order_id,
            at: row.at,
            user_id: row.user_id,
            sku: row.sku,
            product,
            variant,
            qty: row.qty,
            unit_price: row.unit_price,
            currency: row.currency,
            short,
        });
    }
    (items, left)
}

/// A SKU's product name and, for a variant, the variant's own name; an SKU the catalogue
/// does not list is its own name.
pub fn names_of(catalog: &Catalog, sku: &str) -> (String, Option<String>) {
    let Some(p) = catalog.product(sku) else { return (sku.to_owned(), None) };
    let parent = p.parent.as_deref().and_then(|s| catalog.product(s));
    match parent {
        // The desk names a variant "Product, variant".
        Some(parent) => {
            let own = p.name.strip_prefix(&format!("{}, ", parent.name)).unwrap_or(&p.name);
            (parent.name.clone(), Some(own.to_owned()))
        }
        None => (p.name.clone(), None),
    }
}

/// Paid orders bundled per buyer (by user id; a buyer with no id is bundled by name), buyers
/// sorted by name without regard to case, then by id, so a pick list reads the same each time;
/// each buyer's orders keep the order they came in.
pub fn bundle(items: Vec<Item>) -> Vec<Bundle> {
    let mut by_buyer: BTreeMap<String, usize> = BTreeMap::new();
    let mut bundles: Vec<Bundle> = Vec::new();
    for item in items {
        let key = if item.user_id.is_empty() { format!("name:{}", item.user) } else { item.user_id.clone() };
        let i = *by_buyer.entry(key).or_insert_with(|| {
            bundles.push(Bundle {
                user_id: item.user_id.clone(),
                name: item.user.clone(),
                region: item.region.clone(),
                items: Vec::new(),
            });
            bundles.len() - 1
        });
        let b = &mut bundles[i];
        // The latest order carries the name and region the buyer last had.
        b.name.clone_from(&item.user);
        if item.region.is_some() {
            b.region.clone_from(&item.region);
        }
        b.items.push(item);
    }
    bundles.sort_by(|a, b| {
        a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.user_id.cmp(&b.user_id))
    });
    bundles
}

/// Untrusted text (a viewer's name) as a pick list shows it: no escapes, controls or bidi
/// marks (a journal from an older livedesk may hold them), capped.
fn shown(text: &str) -> String {
    sanitize(text, NAME_CHARS)
}

/// `n` things, in the singular for one.
fn count(n: usize, thing: &str) -> String {
    if n == 1 { format!("1 {thing}") } else { format!("{n} {thing}s") }
}

fn amounts(totals: &BTreeMap<String, Decimal>) -> String {
    let parts: Vec<String> = totals.iter().map(|(cur, v)| crate::desk::money::format(*v, cur)).collect();
    parts.join(" + ")
}

/// The pick list: a block per buyer (name, id, region, then each order's SKU, variant,
/// product, quantity and price, and the buyer's units and total), then a footer with the
/// buyers, orders and units to pack and the orders left out.
pub fn pick_list(p: &Packing) -> String {
    let mut out = String::new();
    let stream = p.stream.as_deref().map(|s| format!(" ({})", shown(s))).unwrap_or_default();
    out.push_str(&format!("Pick list: session {}{stream}, paid orders per buyer\n", p.session));
    let head = ["order", "SKU", "variant", "product", "qty", "price", "note"];
    let right = [false, false, false, false, true, true, false];
    for b in &p.bundles {
        let region = b.region.as_deref().map(|r| format!(" · {}", shown(r))).unwrap_or_default();
        let id = if b.user_id.is_empty() { String::new() } else { format!(" ({})", shown(&b.user_id)) };
        out.push_str(&format!("\n{}{id}{region}\n", shown(&b.name)));
        let rows: Vec<Vec<String>> = b
            .items
            .iter()
            .map(|i| {
                vec![
                    shown(&i.order_id),
                    shown(&i.sku),
                    i.variant.as_deref().map_or_else(|| "-".into(), shown),
                    shown(&i.product),
                    i.qty.to_string(),
                    crate::desk::money::format(i.unit_price, &i.currency),
                    if i.short > 0 {
                        format!("{} oversold: not on the shelf", i.short)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        for line in crate::table::aligned(&head, &right, &rows).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "  {}, {}, {}\n",
            count(b.items.len(), "order"),
            count(b.units() as usize, "unit"),
            amounts(&b.totals())
        ));
    }
    if p.bundles.is_empty() {
        out.push_str("\nNo paid orders to pack.\n");
    }
    let l = p.left_out;
    out.push_str(&format!(
        "\n{}, {}, {} to pack; left out: {} cancelled, {} refunded, {} not paid yet\n",
        count(p.bundles.len(), "buyer"),
        count(p.orders(), "order"),
        count(p.units() as usize, "unit"),
        l.cancelled,
        l.refunded,
        l.unpaid
    ));
    out
}

/// The columns of Royal Mail Click & Drop's order import, as its field list names them:
/// <https://help.parcel.royalmail.com/hc/en-gb/articles/360000250093-Order-Import-spreadsheet-field-specifications>
/// (the product fields as <https://help.parcel.royalmail.com/hc/en-gb/articles/360015376694-Adding-customs-information-when-importing-your-orders-via-spreadsheet>
/// names them). The recipient goes in "Full name" (the import's "First and last names are
/// combined" option); "Country" is the buyer's region as the platform reports it (see
/// [`country`]); the address, email and phone are left empty, for the platform's own order
/// export to fill by the order reference: the feed does not carry them.
pub const CLICK_AND_DROP: [&str; 18] = [
    "Order reference",
    "Date",
    "Full name",
    "Email",
    "Phone",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "City",
    "County",
    "Postcode",
    "Country",
    "Product SKU",
    "Product name",
    "Quantity",
    "Unit price",
    "Sub-total",
    "Currency Code",
];

/// The paid orders as a Click & Drop import: one row per order (its reference is the
/// platform's order id, which the platform's export shares), buyer by buyer as the pick list
/// has them. Every cell goes through the report's guard: a name like `=HYPERLINK(…)` stays
/// text in a spreadsheet.
pub fn click_and_drop(p: &Packing, out: impl Write) -> anyhow::Result<()> {
    let mut sheet = Sheet::new(out, &CLICK_AND_DROP)?;
    for i in p.items() {
        let mut row = vec![String::new(); CLICK_AND_DROP.len()];
        let mut put = |column: &str, value: String| {
            let at = CLICK_AND_DROP.iter().position(|c| *c == column).expect("a Click & Drop column");
            row[at] = value;
        };
        put("Order reference", i.order_id.clone());
        // The field list's date format, dd/mm/yy.
        put("Date", i.at.format("%d/%m/%y").to_string());
        put("Full name", roman(&shown(&i.user)));
        put("Country", country(i.region.as_deref()));
        put("Product SKU", i.sku.clone());
        put("Product name", sanitize(&i.full_name(), NAME_CHARS * 2));
        put("Quantity", i.qty.to_string());
        put("Unit price", format!("{:.2}", money(i.unit_price)));
        put("Sub-total", format!("{:.2}", money(i.total())));
        put("Currency Code", i.currency.clone());
        sheet.row(&row)?;
    }
    sheet.finish()
}

/// A name as Click & Drop's "Full name" takes it: the field list allows "standard Roman
/// characters only", so the letters of the Latin alphabets (accented ones too), digits, blanks
/// and the punctuation of names are kept and the rest dropped ("Ava 💅" is "Ava"). A name
/// with nothing left stays empty for the platform's export, matched by the order reference.
pub fn roman(name: &str) -> String {
    let latin = |c: char| c.is_ascii_graphic() || matches!(c, '\u{c0}'..='\u{24f}') && c.is_alphabetic();
    // A combining accent typed after its letter ("e\u{301}") goes, leaving the letter whole.
    let kept: String = name
        .chars()
        .filter(|c| !matches!(c, '\u{300}'..='\u{36f}'))
        .map(|c| if latin(c) { c } else { ' ' })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A region as Click & Drop's "Country" takes it: the field list asks for the "full name of
/// country, ie 'Peru', or 3-digit ISO code" in an alpha field, so the ISO 3166-1 alpha-3 code
/// ("GB" is "GBR"): one spelling for every country, where names vary ("UK", "Great Britain").
/// A region that is no country code (or none) leaves the cell for the platform's export.
pub fn country(region: Option<&str>) -> String {
    region
        .and_then(|r| celes::Country::from_alpha2(r.trim()).ok())
        .map(|c| c.alpha3.to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(order: &str, user_id: &str, user: &str, sku: &str, qty: u32, price: &str) -> Item {
        Item {
            order_id: order.into(),
            at: DateTime::parse_from_rfc3339("2026-11-20T19:03:00Z").unwrap().to_utc(),
            user_id: user_id.into(),
            user: user.into(),
            region: Some("GB".into()),
            sku: sku.into(),
            product: format!("{sku} nails"),
            variant: None,
            qty,
            unit_price: price.parse().unwrap(),
            currency: "GBP".into(),
            short: 0,
        }
    }

    fn packing(items: Vec<Item>) -> Packing {
        Packing {
            session: 7,
            stream: Some("spring-drop".into()),
            bundles: bundle(items),
            left_out: LeftOut { cancelled: 1, refunded: 2, unpaid: 0 },
        }
    }

    #[test]
    fn a_buyers_orders_go_in_one_bundle_in_the_order_they_came_and_buyers_sort_by_name() {
        let bundles = bundle(vec![
            item("o1", "u2", "zoe", "A", 1, "4.99"),
            item("o2", "u1", "Ann", "B", 2, "3.00"),
            item("o3", "u2", "Zoe", "C", 3, "1.00"),
            item("o4", "u3", "ann", "A", 1, "4.99"),
        ]);
        let seen: Vec<(&str, Vec<&str>)> = bundles
            .iter()
            .map(|b| (b.user_id.as_str(), b.items.iter().map(|i| i.order_id.as_str()).collect()))
            .collect();
        // Two buyers called Ann/ann stay two bundles (by id), sorted by id; Zoe's name is her latest.
        assert_eq!(seen, vec![("u1", vec!["o2"]), ("u3", vec!["o4"]), ("u2", vec!["o1", "o3"])]);
        assert_eq!(bundles[2].name, "Zoe");
        assert_eq!(bundles[2].units(), 4);
        assert_eq!(bundles[2].totals(), BTreeMap::from([("GBP".to_owned(), "7.99".parse().unwrap())]));
    }

    #[test]
    fn buyers_without_an_id_are_bundled_by_name() {
        let bundles = bundle(vec![item("o1", "", "Kim", "A", 1, "1"), item("o2", "", "Kim", "B", 1, "1")]);
        assert_eq!(bundles.len(), 1);
        assert_eq!(bundles[0].items.len(), 2);
    }

    #[test]
    fn the_pick_list_has_a_block_per_buyer_and_a_footer() {
        let mut short = item("o3", "u2", "Bea", "GLITTER", 2, "12.99");
        short.short = 1;
        short.variant = Some("large".into());
        let p = packing(vec![
            item("o1", "u1", "Ann", "NUDE", 1, "9.99"),
            short,
            item("o4", "u1", "Ann", "PINK", 2, "4.99"),
        ]);
        let text = pick_list(&p);
        assert_eq!(
            text,
            "Pick list: session 7 (spring-drop), paid orders per buyer\n\
             \n\
             Ann (u1) · GB\n\
             \x20 order  SKU   variant  product     qty  price  note\n\
             \x20 o1     NUDE  -        NUDE nails    1  £9.99\n\
             \x20 o4     PINK  -        PINK nails    2  £4.99\n\
             \x20 2 orders, 3 units, £19.97\n\
             \n\
             Bea (u2) · GB\n\
             \x20 order  SKU      variant  product        qty   price  note\n\
             \x20 o3     GLITTER  large    GLITTER nails    2  £12.99  1 oversold: not on the shelf\n\
             \x20 1 order, 2 units, £25.98\n\
             \n\
             2 buyers, 3 orders, 5 units to pack; left out: 1 cancelled, 2 refunded, 0 not paid yet\n"
        );
    }

    #[test]
    fn names_in_the_pick_list_lose_escapes_and_bidi_marks() {
        let p = packing(vec![item("o1", "u1", "\u{1b}[31mEvil\u{202e}nna", "A", 1, "1")]);
        let text = pick_list(&p);
        assert!(text.contains("\nEvilnna (u1) · GB\n"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'), "{text:?}");
    }

    #[test]
    fn the_click_and_drop_csv_has_the_documented_columns_and_one_row_per_order() {
        // The field names as Royal Mail's import list spells them:
        // https://help.parcel.royalmail.com/hc/en-gb/articles/360000250093-Order-Import-spreadsheet-field-specifications
        let mut variant = item("o2", "u1", "=cmd|' /C calc'!A0", "BC-M", 2, "10.99");
        variant.product = "Ballerina chrome".into();
        variant.variant = Some("medium, \"big\"".into());
        let p = packing(vec![item("o1", "u2", "Bea", "PINK", 1, "4.99"), variant]);
        let mut buf = Vec::new();
        click_and_drop(&p, &mut buf).unwrap();
        let mut r = csv::Reader::from_reader(buf.as_slice());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        // The columns themselves are pinned, from Royal Mail's page, in tests/orders.rs.
        assert_eq!(head, CLICK_AND_DROP);
        let rows: Vec<Vec<String>> =
            r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(rows.len(), 2);
        let cell = |row: &Vec<String>, col: &str| row[head.iter().position(|h| h == col).unwrap()].clone();
        // Buyers by name: "=cmd…" sorts before "Bea"; the formula is kept as text.
        assert_eq!(cell(&rows[0], "Full name"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell(&rows[0], "Order reference"), "o2");
        assert_eq!(cell(&rows[0], "Product name"), "Ballerina chrome, medium, \"big\"");
        assert_eq!(cell(&rows[0], "Quantity"), "2");
        assert_eq!(cell(&rows[0], "Unit price"), "10.99");
        assert_eq!(cell(&rows[0], "Sub-total"), "21.98");
        assert_eq!(cell(&rows[0], "Currency Code"), "GBP");
        assert_eq!(cell(&rows[0], "Date"), "20/11/26");
        assert_eq!(cell(&rows[1], "Order reference"), "o1");
        for col in ["Email", "Phone", "Address Line 1", "City", "Postcode"] {
            assert!(rows.iter().all(|r| cell(r, col).is_empty()), "{col} is left for the platform's export");
        }
        // The buyers' region, GB, as the alpha-3 code the field list allows.
        assert!(rows.iter().all(|r| cell(r, "Country") == "GBR"), "{rows:?}");
        // Quoted as CSV needs it: the comma and quotes of the variant's name.
        let raw = String::from_utf8(buf).unwrap();
        assert!(raw.contains("\"Ballerina chrome, medium, \"\"big\"\"\""), "{raw}");
    }

    #[test]
    fn the_full_name_keeps_roman_characters_only() {
        assert_eq!(roman("Ava 💅"), "Ava");
        assert_eq!(roman("Zoë  O'Brien-Núñez"), "Zoë O'Brien-Núñez");
        assert_eq!(roman("✨ kim_99 ✨"), "kim_99");
        assert_eq!(roman("李雷"), "");
        assert_eq!(roman("Jose\u{301}ph"), "Joseph");
    }

    #[test]
    fn the_country_is_the_regions_alpha_3_code_or_left_empty() {
        assert_eq!(country(Some("GB")), "GBR");
        assert_eq!(country(Some("ph")), "PHL");
        assert_eq!(country(Some("IE")), "IRL");
        // Not a country code, or none: the platform's export fills it.
        assert_eq!(country(Some("Manila")), "");
        assert_eq!(country(Some("")), "");
        assert_eq!(country(None), "");
    }

    #[test]
    fn a_variant_is_named_apart_from_its_product() {
        let file: crate::config::model::Catalog = toml::from_str(
            r#"
currency = "GBP"
[[product]]
sku = "BC"
name = "Press-on nails, ballerina"
price = "10.99"
[[product.variant]]
sku = "BC-M"
name = "medium"
stock = 3
[[product]]
sku = "PINK"
name = "Almond pink"
price = "4.99"
stock = 2
"#,
        )
        .unwrap();
        let catalog = Catalog::new(&file);
        assert_eq!(names_of(&catalog, "BC-M"), ("Press-on nails, ballerina".into(), Some("medium".into())));
        assert_eq!(names_of(&catalog, "PINK"), ("Almond pink".into(), None));
        assert_eq!(names_of(&catalog, "GONE"), ("GONE".into(), None));
    }
}
