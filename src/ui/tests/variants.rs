//! The Stock pane with a product sold in sizes: its codes, its variants listed under it, and
//! the chat line of a claim read by code.

use super::*;
use crate::config::model::VariantSpec;

/// The shop with oval nails in three sizes under code `OV`, small with its own code.
fn variant_desk() -> Desk {
    let mut shop = shop();
    let variant = |sku: &str, name: &str, stock: u32, code: Option<&str>, alias: &str| VariantSpec {
        sku: sku.into(),
        name: name.into(),
        stock,
        aliases: vec![alias.into()],
        code: code.map(String::from),
    };
    let plain = shop.catalog.products[0].clone();
    shop.catalog.products.insert(
        1,
        ProductSpec {
            sku: "OVAL-CHROME".into(),
            name: "Press-on nails, oval, silver chrome".into(),
            stock: 0,
            low_stock: 2,
            code: Some("OV".into()),
            aliases: vec!["oval chrome".into()],
            variants: vec![
                variant("OVAL-CHROME-S", "small", 2, Some("OVS"), "s"),
                variant("OVAL-CHROME-M", "medium", 6, None, "m"),
                variant("OVAL-CHROME-L", "large", 1, None, "l"),
            ],
            ..plain
        },
    );
    shop.catalog.products[0].code = Some("AP".into());
    welcomed(shop)
}

#[test]
fn snapshot_stock_lists_variants_under_their_product_with_codes_and_what_is_held() {
    let mut d = variant_desk();
    say(&mut d, 10, "ann", "SOLD OV 2 m", t(10));
    say(&mut d, 11, "bea", "ovs", t(11));
    order(&mut d, 12, "OVAL-CHROME-L", 1, "8.99", t(12));
    d.apply(Input::Tick, t(20));
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for row in ["AP ALMOND-PINK", "OV OVAL-CHROME", " └ OVS small", " └ medium", " └ large"] {
        assert!(s.contains(row), "{row:?} missing:\n{s}");
    }
    // The chat line of each claim says what it was read as.
    assert!(s.contains("SOLD OV 2 m → OV medium ×2"), "{s}");
    assert!(s.contains("ovs → OVS"), "{s}");
    insta::assert_snapshot!("stock_variants_120x40", term.backend());
    insta::assert_snapshot!("stock_variants_80x24", render(&d, &mut view, 80, 24).backend());
}
