//! Variants and codes: claims by code and variant words in any order, a product's stock as
//! the sum of its variants', orders that name a variant by its SKU, and the question asked
//! when a claim does not say which variant.

use super::*;
use crate::config::model::VariantSpec;
use crate::desk::catalog::Adjust;
use crate::store::Resume;

fn variant(sku: &str, name: &str, stock: u32, code: Option<&str>, aliases: &[&str]) -> VariantSpec {
    VariantSpec {
        sku: sku.into(),
        name: name.into(),
        stock,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        code: code.map(String::from),
    }
}

/// The test shop with oval nails in three sizes (code `OV`; small has its own `OS`), a kit
/// sold in one variant, and a reply that asks which size.
fn variant_shop() -> ShopConfig {
    let mut shop = shop();
    let plain = shop.catalog.products[0].clone();
    shop.catalog.products.push(ProductSpec {
        sku: "OVAL".into(),
        name: "Oval nails".into(),
        price: "10.00".parse().unwrap(),
        stock: 0,
        aliases: vec!["oval".into()],
        code: Some("OV".into()),
        variants: vec![
            variant("OVAL-S", "small", 1, Some("OS"), &["s"]),
            variant("OVAL-M", "medium", 3, None, &["m"]),
            variant("OVAL-L", "large", 2, None, &["l"]),
        ],
        ..plain.clone()
    });
    shop.catalog.products.push(ProductSpec {
        sku: "KIT".into(),
        name: "Glue kit".into(),
        stock: 0,
        aliases: vec!["kit".into()],
        code: Some("GK".into()),
        variants: vec![variant("KIT-STD", "standard", 4, None, &[])],
        ..plain
    });
    shop.replies.replies.push(ReplySpec {
        tags: vec!["claim-which".into()],
        ..ReplySpec::new("Which", "@{user} which size of {product}? S, M or L")
    });
    shop
}

fn variant_desk() -> Desk {
    Desk::new(DeskSetup { shop: variant_shop(), ..setup() })
}

/// (on hand, reserved, available) of a product or variant.
fn counts(d: &Desk, sku: &str) -> (u32, u32, u32) {
    let p = d.catalog().product(sku).unwrap();
    (p.on_hand, p.reserved, p.available)
}

/// (user, sku, qty, state) of every open claim, oldest first.
fn claims_of(d: &Desk) -> Vec<(String, String, u32, &'static str)> {
    d.claims().open().map(|c| (c.user_name.clone(), c.sku.clone(), c.qty, c.state.label())).collect()
}

/// What the chat line of a comment says its claim named.
fn claimed(d: &Desk, msg_id: &str) -> Option<String> {
    d.chat().by_msg_id(msg_id).unwrap().claimed.clone()
}

fn row(user: &str, sku: &str, qty: u32, state: &'static str) -> (String, String, u32, &'static str) {
    (user.into(), sku.into(), qty, state)
}

#[test]
fn codes_quantities_and_variant_words_claim_in_any_order_and_case() {
    let mut d = variant_desk();
    d.apply(chat(1, "ann", "SOLD OV 2 medium"), t(0));
    d.apply(chat(2, "bea", "ov x1 l"), t(1));
    d.apply(chat(3, "cat", "sold oval size s"), t(2));
    d.apply(chat(4, "dee", "2 gk"), t(3));
    assert_eq!(
        claims_of(&d),
        [
            row("ann", "OVAL-M", 2, "held"),
            row("bea", "OVAL-L", 1, "held"),
            row("cat", "OVAL-S", 1, "held"),
            row("dee", "KIT-STD", 2, "held"),
        ]
    );
    // The chat line says what was read, by code.
    assert_eq!(claimed(&d, "m1").as_deref(), Some("OV medium ×2"));
    assert_eq!(claimed(&d, "m2").as_deref(), Some("OV large"));
    assert_eq!(claimed(&d, "m3").as_deref(), Some("OS"), "small has a code of its own");
    assert_eq!(claimed(&d, "m4").as_deref(), Some("GK standard ×2"));
    // Explain says the product and the variant held.
    let read = |id: &str| d.explain(id).unwrap().claim.map(|c| (c.product, c.variant, c.quantity));
    assert_eq!(read("m1"), Some((Some("OVAL".into()), Some("OVAL-M".into()), 2)));
    assert_eq!(read("m3"), Some((Some("OVAL".into()), Some("OVAL-S".into()), 1)));
    assert_eq!(read("m4"), Some((Some("KIT".into()), Some("KIT-STD".into()), 2)));
    // A claim on a product with no code shows nothing more.
    d.apply(chat(5, "eve", "sold almond pink"), t(4));
    assert_eq!(claimed(&d, "m5"), None);
    // Chat that only contains a code is no claim.
    d.apply(chat(6, "fay", "ov is my favourite shape"), t(5));
    assert_eq!(d.claims().open().count(), 5);
}

#[test]
fn a_product_shows_the_sum_of_its_variants_and_holds_come_out_of_the_variant() {
    let mut d = variant_desk();
    assert_eq!(counts(&d, "OVAL"), (6, 0, 6));
    let listed: Vec<&str> = d.catalog().products().iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(
        listed,
        ["ALMOND-PINK", "COFFIN-NUDE", "OVAL", "OVAL-S", "OVAL-M", "OVAL-L", "KIT", "KIT-STD"]
    );
    d.apply(chat(1, "ann", "sold ov m 2"), t(0));
    assert_eq!((counts(&d, "OVAL-M"), counts(&d, "OVAL")), ((3, 2, 1), (6, 2, 4)));
    assert_eq!(last_notice(&d), format!("Claim #{}: 2× OVAL-M held for @ann (10 min)", claim_id(&d, "ann")));
    // The operator counts a variant's shelf; the product's own count is not theirs to set.
    d.apply(
        op(Action::AdjustStock { sku: "OVAL-L".into(), change: Adjust::Add(3), reason: "box".into() }),
        t(1),
    );
    assert_eq!(counts(&d, "OVAL"), (9, 2, 7));
    d.apply(op(Action::AdjustStock { sku: "OVAL".into(), change: Adjust::Set(0), reason: "x".into() }), t(2));
    assert_eq!(counts(&d, "OVAL"), (9, 2, 7));
    assert!(
        last_notice(&d).starts_with("Cannot adjust OVAL: its stock is its variants'"),
        "{}",
        last_notice(&d)
    );
    // The platform counts variants by their own SKU too.
    d.apply(frame(3, Event::Stock { sku: "OVAL-S".into(), available: 0 }), t(3));
    assert_eq!(counts(&d, "OVAL"), (8, 2, 6));
    assert!(d.catalog().product("OVAL").unwrap().variants.len() == 3);
}

#[test]
fn a_quantity_claim_takes_what_is_free_and_waits_for_the_rest_answered_once() {
    let mut d = variant_desk();
    let out = d.apply(chat(1, "ann", "sold OS x3"), t(0));
    assert_eq!(claims_of(&d), [row("ann", "OVAL-S", 1, "held"), row("ann", "OVAL-S", 2, "waiting")]);
    assert_eq!(counts(&d, "OVAL-S"), (1, 1, 0));
    assert_eq!(
        sent_texts(&out),
        ["@ann 1 of Oval nails, small held for you, 2 more on the waitlist (#1)"],
        "one answer for both parts"
    );
    // A restock of the variant serves her waiting units first.
    d.apply(
        op(Action::AdjustStock { sku: "OVAL-S".into(), change: Adjust::Add(2), reason: "box".into() }),
        t(1),
    );
    assert_eq!(claims_of(&d), [row("ann", "OVAL-S", 3, "held")]);
    // Over the most one comment may claim: not a claim of anything.
    d.apply(chat(2, "bea", "ov m 100"), t(2));
    assert_eq!(d.claims().open().filter(|c| c.user_name == "bea").count(), 0);
    assert_eq!(d.summary().claims.unmatched, 1);
}

#[test]
fn a_claim_that_names_no_variant_holds_nothing_and_the_buyer_is_asked_once() {
    let mut d = variant_desk();
    let out = d.apply(chat(1, "ann", "sold oval"), t(0));
    assert!(claims_of(&d).is_empty());
    let read = d.explain("m1").unwrap().claim.unwrap();
    assert_eq!((read.product.as_deref(), read.variant), (Some("OVAL"), None), "no variant said");
    let told = "@ann claimed OVAL but not which: OS OVAL-S, OVAL-M, OVAL-L. Nothing held";
    assert!(d.notices().any(|n| n.text == told), "{:?}", d.notices().last());
    assert_eq!(sent_replies(&out), [("@ann which size of Oval nails? S, M or L".into(), Some("m1".into()))]);
    let out = d.apply(chat(2, "ann", "SOLD OV!!"), t(10));
    assert!(sent_texts(&out).is_empty(), "asked once");
    assert_eq!(d.summary().claims.unmatched, 2);
    // Her answer is a claim.
    d.apply(chat(3, "ann", "m pls sold ov"), t(20));
    assert_eq!(claims_of(&d), [row("ann", "OVAL-M", 1, "held")]);
    // A product sold in one variant needs no answer.
    d.apply(chat(4, "bea", "sold kit"), t(30));
    assert_eq!(claims_of(&d)[1], row("bea", "KIT-STD", 1, "held"));
    // On screen, a bare claim reads the variant from its words, or asks.
    d.apply(op(Action::PinProduct { sku: Some("OVAL".into()) }), t(40));
    d.apply(chat(5, "cat", "mine l"), t(41));
    let out = d.apply(chat(6, "dee", "mine!"), t(42));
    assert_eq!(claims_of(&d)[2], row("cat", "OVAL-L", 1, "held"));
    assert_eq!(claims_of(&d).len(), 3);
    assert_eq!(replies_to(&out, "dee"), ["@dee which size of Oval nails? S, M or L"]);
}

#[test]
fn orders_name_variants_by_sku_and_an_order_for_the_product_alone_is_oversold_in_view() {
    let mut d = variant_desk();
    d.apply(chat(1, "ann", "sold ov m 2"), t(0));
    d.apply(order_by(2, "o1", "ann", "OVAL-M", 2, "10.00"), t(1));
    assert!(claims_of(&d).is_empty(), "her order confirmed her claim");
    assert_eq!(counts(&d, "OVAL-M"), (1, 0, 1));
    let (oval, medium) = (d.catalog().product("OVAL").unwrap(), d.catalog().product("OVAL-M").unwrap());
    assert_eq!((oval.sold, medium.sold, oval.on_hand), (2, 2, 4));
    // The platform names the product, not which size: no unit can be taken for it.
    d.apply(order_by(3, "o2", "bea", "OVAL", 1, "10.00"), t(2));
    let oval = d.catalog().product("OVAL").unwrap();
    assert_eq!((oval.on_hand, oval.sold, oval.oversold), (4, 3, 1));
    assert_eq!(d.catalog().oversold(), 1, "counted once, not per variant and product");
    d.apply(update(4, "o2", OrderStatus::Cancelled), t(3));
    d.apply(update(5, "o1", OrderStatus::Refunded), t(4));
    let oval = d.catalog().product("OVAL").unwrap();
    assert_eq!((oval.on_hand, oval.sold, oval.oversold), (6, 0, 0));
    assert_eq!(counts(&d, "OVAL-M"), (3, 0, 3));
}

#[test]
fn a_desk_rebuilt_from_the_same_inputs_has_the_same_variant_stock_and_digest() {
    let inputs = [
        chat(1, "ann", "SOLD OV 2 medium"),
        chat(2, "bea", "os 3"),
        order_by(3, "o1", "cat", "OVAL-L", 1, "10.00"),
        op(Action::AdjustStock { sku: "OVAL-S".into(), change: Adjust::Add(1), reason: "box".into() }),
    ];
    let run = |n: usize| {
        let mut d = variant_desk();
        for (i, input) in inputs.iter().take(n).enumerate() {
            d.apply(input.clone(), t(i as i64));
        }
        d
    };
    let (live, rebuilt) = (run(inputs.len()), run(inputs.len()));
    assert_eq!(live.state_digest(), rebuilt.state_digest());
    assert_eq!(counts(&rebuilt, "OVAL-S"), (2, 2, 0));
    // Each step moves the digest, a variant's stock change included.
    let digests: Vec<String> = (0..=inputs.len()).map(|n| run(n).state_digest()).collect();
    for (i, pair) in digests.windows(2).enumerate() {
        assert_ne!(pair[0], pair[1], "input {i} left the digest");
    }
}

#[test]
fn the_variants_rehearsal_replayed_live_and_rebuilt_from_its_journal_ends_with_one_desk() {
    use crate::app::{Clock, Session};
    use crate::config::{EnvInfo, Paths};
    use crate::store::{self, Journal, Store};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/variants");
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: root.clone(), state_dir: dir.path().join("state") };
    let config = crate::config::load(&paths, &EnvInfo::default()).unwrap_or_else(|e| panic!("{e}"));
    let script = root.join("rehearsal.jsonl");
    let path = store::path_in(&paths.state_dir);
    let db = Store::open(&path).unwrap();
    let mut live = Session::replay(&config, "rehearsal.jsonl".into(), Clock::wall());
    live.attach_store(&db, Journal::start(&path).unwrap(), "replay", Resume::Fresh).unwrap();
    crate::replay::run_file(&mut live, &script).unwrap();
    live.finish();
    let d = &live.desk;
    // Small: 6 + a box of 2, all held (cat 1, dee 7 once the box served her waiting 2).
    assert_eq!(counts(d, "BALLERINA-CHROME-S"), (8, 8, 0));
    // Medium: ann's order and bea's confirmed claim took 4 of 8; gus holds 1.
    assert_eq!(counts(d, "BALLERINA-CHROME-M"), (4, 1, 3));
    // Large: hal's order took one held for fay, its cancel gave it back to her.
    assert_eq!(counts(d, "BALLERINA-CHROME-L"), (4, 4, 0));
    assert_eq!(counts(d, "BALLERINA-CHROME"), (16, 13, 3));
    let c = d.claims().counts();
    assert_eq!((c.active, c.waiting, c.confirmed, c.unmatched), (5, 0, 2, 3));
    // The giveaway: seven entered once each (bea twice, Maria refused), two drawn.
    let g = d.giveaways().all().iter().find(|g| g.spec.id == "glue-kit").unwrap();
    let entered: Vec<&str> = g.entrants.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(entered, ["ann_nails", "bea.b", "Cat M", "deedee", "Fay", "gus", "eve_xo"]);
    assert_eq!((g.refused.cant_ship, g.refused.repeats), (1, 1));
    let winners: Vec<String> = g.winners().map(|w| w.name.clone()).collect();
    assert_eq!(winners.len(), 2, "{:?}", g.state);
    assert_eq!(g.drawn_seed().map(|s| s.to_string()).as_deref(), Some("0000000000c0ffee"));
    let session = db.sessions().unwrap().last().expect("the replay was journaled").id;
    let mut rebuilt = Session::replay(&config, "rehearsal.jsonl".into(), Clock::wall()).desk;
    assert!(db.rebuild(session, &mut rebuilt).unwrap().inputs > 0);
    assert_eq!(rebuilt.state_digest(), d.state_digest());
    assert_eq!(counts(&rebuilt, "BALLERINA-CHROME"), (16, 13, 3));
    let again = rebuilt.giveaways().all().iter().find(|g| g.spec.id == "glue-kit").unwrap();
    let drawn_again: Vec<String> = again.winners().map(|w| w.name.clone()).collect();
    assert_eq!(drawn_again, winners, "the rebuilt desk draws the same winners");
}

/// One input of the property test below.
fn variant_input(n: u64, kind: u8, which: u8, qty: u32) -> Input {
    let sku = ["OVAL-S", "OVAL-M", "OVAL-L", "OVAL"][usize::from(which % 4)];
    let size = ["s", "m", "l", ""][usize::from(which % 4)];
    let name = ["ann", "bea", "cat"][usize::from(which % 3)];
    match kind % 5 {
        0 => chat(n, name, &format!("sold ov {size} {qty}")),
        1 => order_by(n, &format!("o{}", n % 6), name, sku, qty, "10.00"),
        2 => update(n, &format!("o{}", n % 6), OrderStatus::Cancelled),
        3 => op(Action::AdjustStock { sku: sku.into(), change: Adjust::Set(qty), reason: "count".into() }),
        _ => frame(n, Event::Stock { sku: sku.into(), available: qty }),
    }
}

proptest::proptest! {
    /// Whatever claims, orders, cancels, counts and platform figures arrive, the product's
    /// stock is its variants' sum, nothing is oversold twice, and two desks fed the same
    /// inputs agree.
    #[test]
    fn the_product_is_always_the_sum_of_its_variants(
        steps in proptest::collection::vec((0u8..5, 0u8..4, 1u32..5), 0..40),
    ) {
        let run = || {
            let mut d = variant_desk();
            for (n, &(kind, which, qty)) in steps.iter().enumerate() {
                d.apply(variant_input(n as u64 + 1, kind, which, qty), t(n as i64));
            }
            d
        };
        let (a, b) = (run(), run());
        let oval = a.catalog().product("OVAL").unwrap();
        let variants: Vec<&catalog::Product> = a.catalog().variants_of("OVAL").collect();
        proptest::prop_assert_eq!(oval.on_hand, variants.iter().map(|v| v.on_hand).sum::<u32>());
        proptest::prop_assert_eq!(oval.reserved, variants.iter().map(|v| v.reserved).sum::<u32>());
        proptest::prop_assert_eq!(oval.available, variants.iter().map(|v| v.available).sum::<u32>());
        proptest::prop_assert!(oval.sold >= variants.iter().map(|v| v.sold).sum::<u32>());
        let held: u32 = a.claims().open().filter(|c| c.sku.starts_with("OVAL")).filter(|c| c.state.label() == "held").map(|c| c.qty).sum();
        proptest::prop_assert_eq!(held, oval.reserved, "every held unit is a variant's");
        proptest::prop_assert!(a.claims().open().all(|c| c.sku != "OVAL"), "no claim holds the product itself");
        let oversold: u32 = a.catalog().orders().map(catalog::Order::oversold).sum();
        proptest::prop_assert_eq!(a.catalog().oversold(), oversold);
        proptest::prop_assert_eq!(a.state_digest(), b.state_digest());
    }
}
