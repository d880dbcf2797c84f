//! Orders, returns and stock adjustments.

use super::*;

#[test]
fn cancels_return_stock_and_gmv_once() {
    let mut d = desk();
    d.apply(order(1, "o1", 2, "8.99"), t(0));
    d.apply(frame(2, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Cancelled }), t(1));
    d.apply(frame(3, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Refunded }), t(2));
    let s = d.summary();
    assert_eq!(s.stock["ALMOND-PINK"], 20);
    assert_eq!(s.gmv["GBP"], "0.00");
    assert_eq!(s.orders, 1);
}

#[test]
fn a_manual_adjust_is_booked_with_its_reason_and_serves_the_waitlist() {
    let mut d = desk();
    d.apply(stock(1, 0), t(0));
    d.apply(chat(2, "ann", "sold almond pink"), t(1));
    let change = catalog::Adjust::Add(3);
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change,
            reason: "found a box".into(),
        }),
        t(2),
    );
    assert_eq!(pink(&d), (3, 1, 2));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held")]);
    let adjust = d.catalog().ledger("ALMOND-PINK").find(|e| e.delta_on_hand == 3).unwrap();
    assert_eq!(adjust.reason, catalog::Reason::ManualAdjust { note: "found a box".into() });
    assert!(d.notices().any(|n| n.text == "Stock of ALMOND-PINK +3: 0 → 3 on hand (found a box)"));
    let set = catalog::Adjust::Set(0);
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change: set,
            reason: String::new(),
        }),
        t(3),
    );
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "waiting")]);
    let last = d.catalog().ledger("ALMOND-PINK").rev().find(|e| e.delta_on_hand != 0).unwrap();
    assert_eq!(last.reason, catalog::Reason::ManualAdjust { note: "no reason given".into() });
    d.apply(
        Input::Operator(Action::AdjustStock { sku: "NOPE".into(), change: set, reason: "x".into() }),
        t(4),
    );
    assert_eq!(last_notice(&d), "Cannot adjust NOPE: not in the catalog");
    // After the stream, the shelf can still be counted.
    d.apply(Input::Link(LinkEvent::StreamEnded), t(5));
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change: set,
            reason: "count".into(),
        }),
        t(6),
    );
    assert!(last_notice(&d).starts_with("Stock of ALMOND-PINK =0"), "{}", last_notice(&d));
}

#[test]
fn an_oversold_order_says_so_in_the_chat_line() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(claimer_order(2, "o1", "zed", 3, OrderStatus::Paid), t(1));
    let line = d.chat().messages().iter().rev().find(|m| m.kind == MsgKind::System).unwrap();
    assert!(line.text.ends_with("2 OVERSOLD"), "{}", line.text);
    assert_eq!(d.catalog().order("o1").unwrap().oversold(), 2);
}
