//! Claim comments as the comment-selling tools document them to their shoppers, read by the
//! desk. Each test names its source; the comments are the sources' own examples (and the
//! variations in case and spacing they say they accept), the catalogue is shaped to fit.
//!
//! Where livedesk reads more than a source does, the test says so: a code alone ("66c")
//! claims here, as `catalog.toml` documents, where Claimbase and CommentSold want a trigger
//! word too.

use super::*;
use crate::config::model::VariantSpec;
use crate::desk::catalog::Adjust;

fn variant(sku: &str, name: &str, stock: u32) -> VariantSpec {
    VariantSpec { sku: sku.into(), name: name.into(), stock, aliases: vec![], code: None }
}

fn product(sku: &str, name: &str, code: &str, stock: u32, variants: Vec<VariantSpec>) -> ProductSpec {
    ProductSpec {
        sku: sku.into(),
        name: name.into(),
        price: "12.00".parse().unwrap(),
        stock,
        low_stock: 1,
        aliases: vec![],
        code: Some(code.into()),
        variants,
    }
}

/// A tee in colour and size (CommentSold's `AA`), a top in colour and size (SHOPLINE's
/// `A1`), and a plain item (Claimbase's `66c`).
fn peer_desk() -> Desk {
    Desk::new(DeskSetup { shop: peer_shop(), ..setup() })
}

/// The shop of [`peer_desk`].
fn peer_shop() -> ShopConfig {
    let mut shop = shop();
    shop.catalog.products[0].aliases.push("pink".into());
    shop.catalog.products.push(product(
        "TEE",
        "Tee",
        "AA",
        0,
        vec![
            variant("TEE-BLUE-S", "blue / small", 6),
            variant("TEE-BLUE-M", "blue / medium", 4),
            variant("TEE-PINK-S", "pink / small", 3),
        ],
    ));
    shop.catalog.products.push(product(
        "TOP",
        "Top",
        "A1",
        0,
        vec![
            variant("TOP-BLACK-S", "black / S", 5),
            variant("TOP-BLACK-M", "black / M", 5),
            variant("TOP-WHITE-S", "white / S", 5),
        ],
    ));
    shop.catalog.products.push(product("RING", "Ring", "66c", 5, vec![]));
    shop
}

/// (user, sku, qty, state) of every open claim, oldest first.
fn open_claims(d: &Desk) -> Vec<(String, String, u32, &'static str)> {
    d.claims().open().map(|c| (c.user_name.clone(), c.sku.clone(), c.qty, c.state.label())).collect()
}

fn row(user: &str, sku: &str, qty: u32, state: &'static str) -> (String, String, u32, &'static str) {
    (user.into(), sku.into(), qty, state)
}

/// CommentSold, "About Quantity Claiming for Bulk Purchases"
/// (https://help.commentsold.com/hc/en-us/articles/7287554041748): a claim is the keyword
/// SOLD, the letter identifier, the amount and the colour and/or size ("SOLD AA 10 blue
/// small"); on a post of one item the identifier is left out ("SOLD 10 blue small"); the
/// available quantity is carted and the rest goes on the waitlist.
#[test]
fn commentsold_quantity_claims_cart_what_is_free_and_waitlist_the_rest() {
    let mut d = peer_desk();
    let out = d.apply(chat(1, "ann", "SOLD AA 10 blue small"), t(0));
    assert_eq!(
        open_claims(&d),
        [row("ann", "TEE-BLUE-S", 6, "held"), row("ann", "TEE-BLUE-S", 4, "waiting")]
    );
    // One answer says both.
    assert_eq!(sent_texts(&out), ["@ann 6 of Tee, blue / small held for you, 4 more on the waitlist (#1)"]);
    // The item on screen, no identifier; the parts in either order.
    d.apply(op(Action::PinProduct { sku: Some("TEE".into()) }), t(1));
    d.apply(chat(2, "bea", "SOLD 2 blue medium"), t(2));
    d.apply(chat(3, "cat", "sold 1 small pink"), t(3));
    d.apply(chat(4, "dee", "sold aa 2 medium blue"), t(4));
    let claims = open_claims(&d);
    assert_eq!(
        claims[2..],
        [
            row("bea", "TEE-BLUE-M", 2, "held"),
            row("cat", "TEE-PINK-S", 1, "held"),
            row("dee", "TEE-BLUE-M", 2, "held")
        ]
    );
    // "pink" is also another product's alias (the test shop's almond nails): beside a size of
    // the tee on screen, it is the tee's colour.
    d.apply(chat(6, "fay", "sold 2 small pink"), t(6));
    assert_eq!(open_claims(&d).last(), Some(&row("fay", "TEE-PINK-S", 2, "held")));
    // A colour alone leaves two sizes: nothing is held until the buyer says which.
    d.apply(chat(5, "eve", "SOLD AA 1 blue"), t(7));
    assert!(open_claims(&d).iter().all(|c| c.0 != "eve"));
}

/// SHOPLINE, "Livestream General Settings"
/// (https://support.shoplineapp.com/hc/en-us/articles/10189241458201-Facebook-Live-Livestream-General-Settings):
/// orders by keyword comment: "I want A1", "A1+1", "I want A1+1", "A1", and keyword plus
/// specification, "I want A1 black S".
#[test]
fn shopline_keyword_comments_claim_with_and_without_quantity_and_specification() {
    let mut d = peer_desk();
    d.apply(chat(1, "ann", "I want A1 black S"), t(0));
    d.apply(chat(2, "bea", "A1+1 white s"), t(1));
    d.apply(chat(3, "cat", "I want A1+2 black M"), t(2));
    assert_eq!(
        open_claims(&d),
        [
            row("ann", "TOP-BLACK-S", 1, "held"),
            row("bea", "TOP-WHITE-S", 1, "held"),
            row("cat", "TOP-BLACK-M", 2, "held")
        ]
    );
    // "I want A1" and "A1": a keyword with variants and none said asks which.
    d.apply(chat(4, "dee", "I want A1"), t(3));
    d.apply(chat(5, "eve", "A1"), t(4));
    assert_eq!(open_claims(&d).len(), 3);
    assert_eq!(d.summary().claims.unmatched, 2, "read as claims that must say which variant");
}

/// Claimbase, "How to Claim handbook"
/// (https://typhoon-wrinkle-5b9.notion.site/Claimbase-How-to-Claim-handbook-for-merchant-s-customers-English-f0c82f95c5864dc0b9f86d35924a6837):
/// the trigger word "claim" and the claim-ID, case-insensitive, any number of blanks between
/// them, emojis and characters before the word or after the ID.
#[test]
fn claimbase_trigger_word_and_id_claim_whatever_the_case_spacing_and_emoji() {
    let mut d = peer_desk();
    let comments = ["claim 66c", "CLAIM 66C", "Claim      66c", "😍😍 claim 66c", "claim 66c 🔥🔥!!"];
    for (i, text) in comments.iter().enumerate() {
        d.apply(chat(i as u64 + 1, &format!("v{i}"), text), t(i as i64));
    }
    let rings: Vec<u32> = d.claims().open().filter(|c| c.sku == "RING").map(|c| c.qty).collect();
    assert_eq!(rings, [1, 1, 1, 1, 1], "each of {comments:?} claims one");
    // livedesk reads a code alone too (catalog.toml says so); Claimbase does not.
    d.apply(chat(9, "zed", "66c"), t(9));
    assert_eq!(d.claims().open().filter(|c| c.sku == "RING").count(), 6);
}

/// My Fashion Emporium, "How do shoppers claim items and how are sales entries entered?"
/// (https://www.myfashionemporium.com/faq/index.php?action=artikel&cat=8&id=4&artlang=en):
/// "sold" claims; "sold next" queues behind a claim; "pass" cancels the claim and gives the
/// item to the next in line; "sold pending question" is ignored.
#[test]
fn my_fashion_emporium_sold_next_pass_and_questions() {
    let mut d = peer_desk();
    d.apply(
        op(Action::AdjustStock { sku: "RING".into(), change: Adjust::Set(1), reason: "one left".into() }),
        t(0),
    );
    d.apply(op(Action::PinProduct { sku: Some("RING".into()) }), t(0));
    d.apply(chat(1, "ann", "sold"), t(1));
    d.apply(chat(2, "bea", "sold next"), t(2));
    d.apply(chat(3, "cat", "sold pending question"), t(3));
    assert_eq!(open_claims(&d), [row("ann", "RING", 1, "held"), row("bea", "RING", 1, "waiting")]);
    // Ann passes: the ring goes to Bea, and Ann is told once.
    let out = d.apply(chat(4, "ann", "pass"), t(4));
    assert_eq!(open_claims(&d), [row("bea", "RING", 1, "held")]);
    assert_eq!(
        sent_texts(&out).iter().filter(|s| s.starts_with("@ann")).count(),
        1,
        "{:?}",
        sent_texts(&out)
    );
    assert_eq!(d.claims().done().last().map(|c| c.state.label()), Some("passed"));
    // A pass with nothing claimed changes nothing.
    d.apply(chat(5, "cat", "pass"), t(5));
    assert_eq!(open_claims(&d), [row("bea", "RING", 1, "held")]);
}

/// First-paid, as two tools document it.
///
/// CommentSold, "Enable First Paid First Served"
/// (https://help.commentsold.com/hc/en-us/articles/4402072141972): with it on, the shop does
/// not hold inventory for the first shopper to cart an item, "the first customer to pay for
/// the item will receive it": Shopper A and Shopper B both comment for the same shorts, B
/// checks out first, B gets them. On its waitlist the page says waitlists "work differently"
/// then: on a restock only preauthorized items are processed, and shoppers who did not
/// preauthorize are neither carted nor told the item is back. livedesk has no preauthorized
/// payments; it calls its line as GetSoldLive does.
///
/// GetSoldLive, "Improved waitlist system"
/// (https://help.getsoldlive.com/article/103-improved-waitlist-system): a shopper who comments
/// for a sold-out item is told they are on the waitlist; when it is back, the first on the
/// waitlist get a message to buy, with a back-in-stock hold time; "if 10 people are on the
/// waitlist and you updated your inventory from 0 to 5. Then the first 5 people on the
/// waitlist get messaged", and if they say "No Thanks" (here: "pass") or their hold time
/// expires, "the remaining 5 people will get messaged in order".
#[test]
fn first_paid_the_first_to_pay_wins_and_a_restock_messages_the_line_in_order() {
    let mut shop = peer_shop();
    shop.claims.policy = crate::config::model::ClaimPolicy::FirstPaid;
    let mut d = Desk::new(DeskSetup { shop, ..setup() });
    let one_left = Adjust::Set(1);
    d.apply(op(Action::AdjustStock { sku: "RING".into(), change: one_left, reason: "one".into() }), t(0));
    // CommentSold's shoppers A and B: both comment, B pays first and gets it, A waits.
    d.apply(chat(1, "a", "sold 66c"), t(1));
    d.apply(chat(2, "b", "sold 66c"), t(2));
    assert_eq!(open_claims(&d), [row("a", "RING", 1, "unpaid"), row("b", "RING", 1, "unpaid")]);
    d.apply(order_by(3, "o-b", "b", "RING", 1, "12.00"), t(3));
    assert_eq!(open_claims(&d), [row("a", "RING", 1, "waiting")]);
    // GetSoldLive's ten on the waitlist: A and nine more, each told they are in line.
    let names: Vec<String> = (1..10).map(|i| format!("v{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let out = d.apply(chat(10 + i as u64, name, "sold 66c"), t(10 + i as i64));
        assert_eq!(sent_texts(&out), [format!("@{name} you're in line for Ring")]);
    }
    let line = |d: &Desk, state: &str| -> Vec<String> {
        d.claims().open().filter(|c| c.state.label() == state).map(|c| c.user_name.clone()).collect()
    };
    assert_eq!(line(&d, "waiting").len(), 10);
    // Inventory from 0 to 5: the first five are messaged, with a hold time each.
    let out = d.apply(
        op(Action::AdjustStock { sku: "RING".into(), change: Adjust::Add(5), reason: "restock".into() }),
        t(100),
    );
    assert_eq!(line(&d, "unpaid"), ["a", "v1", "v2", "v3", "v4"]);
    assert_eq!(line(&d, "waiting"), ["v5", "v6", "v7", "v8", "v9"]);
    assert_eq!(sent_texts(&out).len(), 5, "{:?}", sent_texts(&out));
    assert!(sent_texts(&out).iter().all(|s| s.contains("check out now")), "{:?}", sent_texts(&out));
    // "No Thanks": v1 passes, and the next in line is messaged.
    let out = d.apply(chat(30, "v1", "pass"), t(110));
    assert!(sent_texts(&out).iter().any(|s| s.starts_with("@v5 noted!")), "{:?}", sent_texts(&out));
    assert_eq!(line(&d, "waiting"), ["v6", "v7", "v8", "v9"]);
    // The hold time runs out for those who did not buy: the rest are messaged in order.
    d.apply(order_by(31, "o-a", "a", "RING", 1, "12.00"), t(120));
    let out = d.apply(Input::Tick, t(100 + 600));
    let called: Vec<String> = sent_texts(&out).into_iter().filter(|s| s.contains("noted!")).collect();
    assert_eq!(
        called,
        ["v6", "v7", "v8"]
            .map(|n| format!("@{n} noted! Ring goes to whoever pays first: check out now to secure it"))
    );
    assert_eq!(line(&d, "unpaid"), ["v5", "v6", "v7", "v8"]);
    assert_eq!(line(&d, "waiting"), ["v9"]);
}
