//! End to end: a stream served by the real local server and journaled by a real headless run,
//! then `livedesk orders --pick-list` and `--export csv` on its store, checked against the
//! orders the fixture itself holds (worked out from its lines, not through the desk): paid
//! ones only, cancelled and refunded ones left out, a buyer's two orders in one bundle.
//!
//! The CSV's columns are Royal Mail Click & Drop's import fields, as its list names them:
//! https://help.parcel.royalmail.com/hc/en-gb/articles/360000250093-Order-Import-spreadsheet-field-specifications

mod common;

use std::collections::BTreeMap;

use common::{Home, Server, fixture};

/// Journals the report fixture as one stored stream, served 100 times faster than recorded.
fn record_stream(home: &Home) {
    let server = Server::start(home, &fixture("report-stream.jsonl"), 0, &["--speed", "100"]);
    home.run_ok(&["run", "--url", &server.url, "--headless"]);
}

/// One order of the fixture: buyer id and name, SKU, quantity, unit price, final status.
#[derive(Clone, Debug)]
struct Order {
    user_id: String,
    user: String,
    sku: String,
    qty: u32,
    price: String,
    status: String,
    /// The buyer's region as the order's event gives it.
    region: Option<String>,
}

/// The fixture's orders by id, each with the status its last update left it in. The server
/// plays the stream's events only (the script's operator lines, such as a confirmed claim,
/// are the recording console's, not the platform's).
fn fixture_orders() -> BTreeMap<String, Order> {
    let text = std::fs::read_to_string(fixture("report-stream.jsonl")).unwrap();
    let mut orders = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let e = &v["event"];
        match e["type"].as_str() {
            Some("order") => {
                let order = Order {
                    user_id: e["user"]["id"].as_str().unwrap().into(),
                    user: e["user"]["name"].as_str().unwrap().into(),
                    sku: e["sku"].as_str().unwrap().into(),
                    qty: e["qty"].as_u64().unwrap() as u32,
                    price: e["unit_price"].as_str().unwrap().into(),
                    status: e["status"].as_str().unwrap().into(),
                    region: e["user"]["region"].as_str().map(String::from),
                };
                orders.insert(e["order_id"].as_str().unwrap().to_owned(), order);
            }
            Some("order_update") => {
                let o: &mut Order = orders.get_mut(e["order_id"].as_str().unwrap()).unwrap();
                o.status = e["status"].as_str().unwrap().into();
            }
            _ => {}
        }
    }
    orders
}

#[test]
fn the_pick_list_and_the_click_and_drop_csv_hold_the_streams_paid_orders() {
    let home = Home::new();
    record_stream(&home);
    let orders = fixture_orders();
    let paid: BTreeMap<&String, &Order> = orders.iter().filter(|(_, o)| o.status == "paid").collect();
    let gone: Vec<&String> = orders
        .iter()
        .filter(|(_, o)| matches!(o.status.as_str(), "cancelled" | "refunded"))
        .map(|(id, _)| id)
        .collect();
    assert!(!gone.is_empty(), "the fixture has cancelled and refunded orders");
    let mut per_buyer: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (id, o) in &paid {
        per_buyer.entry(o.user_id.as_str()).or_default().push(id);
    }
    let twice: Vec<(&&str, &Vec<&String>)> = per_buyer.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(!twice.is_empty(), "the fixture has a buyer with two paid orders");

    // The pick list: one block per buyer, each with exactly their paid orders.
    let list = home.run_ok(&["orders", "--pick-list"]);
    let blocks: Vec<&str> = list.split("\n\n").skip(1).collect();
    let (buyers, footer) = blocks.split_at(blocks.len() - 1);
    assert_eq!(buyers.len(), per_buyer.len(), "a block per buyer:\n{list}");
    for (user_id, ids) in &per_buyer {
        let block = buyers
            .iter()
            .find(|b| b.lines().next().unwrap().contains(&format!("({user_id})")))
            .unwrap_or_else(|| panic!("a block for {user_id}:\n{list}"));
        // The buyer's line, the table's header, an order a line, their units and total.
        let lines: Vec<&str> = block.lines().collect();
        let listed: Vec<&str> =
            lines[2..lines.len() - 1].iter().filter_map(|l| l.split_whitespace().next()).collect();
        let mut want: Vec<&str> = ids.iter().map(|id| id.as_str()).collect();
        want.sort_unstable();
        let mut got = listed.clone();
        got.sort_unstable();
        assert_eq!(got, want, "{user_id}'s orders, bundled:\n{block}");
        for id in ids {
            let o = paid[id];
            let line = block
                .lines()
                .find(|l| l.split_whitespace().next() == Some(id.as_str()))
                .unwrap_or_else(|| panic!("order {id} in {user_id}'s block:\n{block}"));
            assert!(line.contains(&o.sku), "{line}");
            assert!(line.split_whitespace().any(|w| w == o.qty.to_string()), "{line}");
            assert!(line.contains(&format!("£{}", o.price)), "{line}");
        }
        let units: u32 = ids.iter().map(|id| paid[id].qty).sum();
        let orders_word = if ids.len() == 1 { "order" } else { "orders" };
        assert!(
            block
                .lines()
                .last()
                .unwrap()
                .trim()
                .starts_with(&format!("{} {orders_word}, {units} unit", ids.len())),
            "{block}"
        );
    }
    for id in &gone {
        assert!(!list.split_whitespace().any(|w| w == id.as_str()), "{id} is left out:\n{list}");
    }
    let units: u32 = paid.values().map(|o| o.qty).sum();
    let cancelled = orders.values().filter(|o| o.status == "cancelled").count();
    let refunded = orders.values().filter(|o| o.status == "refunded").count();
    assert_eq!(
        footer[0].trim_end(),
        format!(
            "{} buyers, {} orders, {units} units to pack; left out: {cancelled} cancelled, {refunded} refunded, 0 not paid yet",
            per_buyer.len(),
            paid.len()
        )
    );
    // The buyers come by name, so the same stream gives the same list.
    let names: Vec<String> = buyers.iter().map(|b| b.lines().next().unwrap().to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    // The CSV, into a file: a row per paid order, in Click & Drop's columns.
    let out = home.dir.path().join("labels.csv");
    let said = home.run_ok(&["orders", "latest", "--export", "csv", "--out", out.to_str().unwrap()]);
    assert!(said.starts_with("wrote "), "{said}");
    let mut r = csv::Reader::from_path(&out).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
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
            "Currency Code"
        ]
    );
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mut seen: Vec<String> = rows.iter().map(|r| r[col("Order reference")].to_owned()).collect();
    seen.sort();
    let mut want: Vec<String> = paid.keys().map(|k| (*k).clone()).collect();
    want.sort();
    assert_eq!(seen, want, "one row per paid order, none cancelled or refunded");
    for row in &rows {
        let o = paid[&row[col("Order reference")].to_owned()];
        assert_eq!(&row[col("Product SKU")], o.sku);
        assert_eq!(row[col("Quantity")].parse::<u32>().unwrap(), o.qty);
        assert_eq!(&row[col("Unit price")], o.price);
        let sub: rust_decimal::Decimal =
            o.price.parse::<rust_decimal::Decimal>().unwrap() * rust_decimal::Decimal::from(o.qty);
        assert_eq!(&row[col("Sub-total")], format!("{sub:.2}"));
        assert_eq!(&row[col("Currency Code")], "GBP");
        // A name that is a spreadsheet formula stays text.
        let name = &row[col("Full name")];
        if o.user.starts_with('=') {
            assert_eq!(name, format!("'{}", o.user));
        } else {
            assert_eq!(name, o.user);
        }
        for empty in ["Address Line 1", "City", "Postcode", "Email", "Phone"] {
            assert_eq!(&row[col(empty)], "", "{empty} is the platform export's to fill");
        }
        // The region as an ISO 3166-1 alpha-3 code, which the field list allows for Country.
        let alpha3 = match o.region.as_deref() {
            Some("GB") => "GBR",
            Some("IE") => "IRL",
            Some("PH") => "PHL",
            Some("US") => "USA",
            other => panic!("a region the fixture does not have: {other:?}"),
        };
        assert_eq!(&row[col("Country")], alpha3, "{:?}", o.region);
        let date = &row[col("Date")];
        assert!(chrono::NaiveDate::parse_from_str(date, "%d/%m/%y").is_ok(), "dd/mm/yy: {date}");
    }
    // The same on stdout.
    let printed = home.run_ok(&["orders", "--export", "csv"]);
    assert_eq!(printed, std::fs::read_to_string(&out).unwrap());
}

#[test]
fn orders_asks_for_one_output_and_a_store_with_sessions() {
    let home = Home::new();
    let neither = home.command().args(["orders"]).output().unwrap();
    assert!(!neither.status.success());
    let err = String::from_utf8_lossy(&neither.stderr);
    assert!(err.contains("--pick-list") && err.contains("--export"), "{err}");
    let both = home.command().args(["orders", "--pick-list", "--export", "csv"]).output().unwrap();
    assert!(!both.status.success());
    let empty = home.command().args(["orders", "--pick-list"]).output().unwrap();
    assert!(!empty.status.success());
    let err = String::from_utf8_lossy(&empty.stderr);
    assert!(err.contains("no stored sessions") && err.contains("livedesk run"), "{err}");
}

#[test]
fn a_store_copied_into_postgres_packs_as_the_sqlite_one() {
    let home = Home::new();
    record_stream(&home);
    let db = common::pg::TestDb::new();
    home.run_ok(&["store", "copy", "--to", &db.url]);
    for what in [&["--pick-list"][..], &["--export", "csv"][..]] {
        let lite = home.run_ok(&[&["orders"][..], what].concat());
        assert!(lite.lines().count() > 5, "{lite}");
        assert_eq!(home.run_ok(&[&["orders", "--store", &db.url][..], what].concat()), lite);
    }
}
