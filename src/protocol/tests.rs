use super::*;

fn chat_json(seq: u64, text: &str) -> String {
    serde_json::json!({
        "type": "chat", "v": 1, "seq": seq, "ts": "2026-11-20T19:00:00.000Z",
        "msg_id": format!("m{seq}"), "reply_to": null, "text": text,
        "user": {"id": "u1", "name": "Maria", "region": "PH", "badges": [], "follower": true},
    })
    .to_string()
}

#[test]
fn decodes_a_chat_frame() {
    let f = decode_frame(&chat_json(7, "how much?")).unwrap();
    assert_eq!(f.seq, 7);
    assert_eq!(f.v, 1);
    match f.event {
        Event::Chat { msg_id, user, text, reply_to } => {
            assert_eq!(msg_id, "m7");
            assert_eq!(user.region.as_deref(), Some("PH"));
            assert_eq!(text, "how much?");
            assert_eq!(reply_to, None);
        }
        other => panic!("not chat: {other:?}"),
    }
}

#[test]
fn escape_injection_is_stripped_from_text_and_names() {
    let raw = serde_json::json!({
        "type": "chat", "v": 1, "seq": 1, "ts": "t", "msg_id": "m1",
        "text": "\u{1b}]0;owned\u{7}hi \u{1b}[31mthere\u{1b}[0m\u{202e}",
        "user": {"id": "u", "name": "\u{1b}[2JEve\u{9b}H", "region": null},
    })
    .to_string();
    let Event::Chat { user, text, .. } = decode_frame(&raw).unwrap().event else { panic!() };
    assert_eq!(text, "hi there");
    assert_eq!(user.name, "Eve");
}

#[test]
fn unknown_fields_are_ignored_and_unknown_types_reported() {
    let raw = r#"{"type":"viewers","v":1,"seq":3,"ts":"t","count":12,"future":{"x":1}}"#;
    assert_eq!(decode_frame(raw).unwrap().event, Event::Viewers { count: 12 });
    let raw = r#"{"type":"hologram","v":1,"seq":4,"ts":"t"}"#;
    assert_eq!(decode_frame(raw), Err(DecodeError::Unknown { kind: "hologram".into(), seq: Some(4) }));
}

#[test]
fn bad_frames_are_malformed_not_fatal() {
    for raw in [
        "not json",
        r#"{"v":1,"seq":1}"#,
        r#"{"type":"chat","v":1,"ts":"t","msg_id":"m","text":"x","user":{"id":"u","name":"n"}}"#,
        r#"{"type":"chat","v":1,"seq":2,"ts":"t","text":"no msg id","user":{"id":"u","name":"n"}}"#,
        r#"{"type":"order","v":1,"seq":3,"ts":"t","order_id":"o","user":{"id":"u","name":"n"},"sku":"A","qty":1,"unit_price":4.99,"currency":"GBP","status":"paid"}"#,
        r#"{"type":"viewers","v":1,"seq":"five","count":1}"#,
    ] {
        assert!(matches!(decode_frame(raw), Err(DecodeError::Malformed { .. })), "{raw} should be malformed");
    }
}

#[test]
fn float_prices_are_refused_and_decimal_strings_kept_exact() {
    let raw = r#"{"type":"order","v":1,"seq":3,"ts":"t","order_id":"o","user":{"id":"u","name":"n"},"sku":"A","qty":3,"unit_price":"4.10","currency":"GBP","status":"paid"}"#;
    let Event::Order { unit_price, qty, .. } = decode_frame(raw).unwrap().event else { panic!() };
    assert_eq!((unit_price * Decimal::from(qty)).to_string(), "12.30");
}

#[test]
fn frames_over_256_kib_are_refused() {
    let big = chat_json(1, &"x".repeat(MAX_FRAME_BYTES));
    assert!(matches!(decode_frame(&big), Err(DecodeError::TooBig(_))));
}

#[test]
fn long_text_is_capped() {
    let Event::Chat { text, .. } = decode_frame(&chat_json(1, &"a".repeat(5000))).unwrap().event else {
        panic!()
    };
    assert_eq!(text.chars().count(), sanitize::MAX_TEXT_CHARS);
}

#[test]
fn frames_round_trip_through_json() {
    let frame = Frame {
        v: 1,
        seq: 9,
        ts: "2026-11-20T19:00:00.000Z".into(),
        event: Event::Ack { reference: "r-1".into(), ok: false, error: Some("sold out".into()) },
    };
    let back = decode_frame(&frame.to_json()).unwrap();
    assert_eq!(back, frame);
    assert!(frame.to_json().contains(r#""ref":"r-1""#));
}

#[test]
fn error_codes_may_be_numbers_or_strings() {
    let raw = r#"{"type":"error","v":1,"seq":1,"ts":"t","code":429,"message":"slow down"}"#;
    assert_eq!(
        decode_frame(raw).unwrap().event,
        Event::Error { code: "429".into(), message: "slow down".into() }
    );
}

#[test]
fn commands_encode_as_the_protocol_says() {
    let hello = Command::Hello { client: "livedesk/0.1.0".into(), resume_after: None };
    assert_eq!(hello.to_json(), r#"{"type":"hello","client":"livedesk/0.1.0","resume_after":null}"#);
    let start = Command::FlashSale {
        reference: "a-1".into(),
        action: SaleAction::Start,
        sku: Some("ALMOND-PINK".into()),
        price: Some("4.99".parse().unwrap()),
        quantity: Some(10),
        seconds: Some(120),
    };
    let v: serde_json::Value = serde_json::from_str(&start.to_json()).unwrap();
    assert_eq!(v["type"], "flash_sale");
    assert_eq!(v["ref"], "a-1");
    assert_eq!(v["price"], "4.99");
    let end = Command::FlashSale {
        reference: "a-2".into(),
        action: SaleAction::End,
        sku: None,
        price: None,
        quantity: None,
        seconds: None,
    };
    assert_eq!(end.to_json(), r#"{"type":"flash_sale","ref":"a-2","action":"end"}"#);
    assert_eq!(Command::decode(&start.to_json()).unwrap(), start);
    let unpin = Command::PinProduct { reference: "a-3".into(), sku: None };
    assert_eq!(unpin.to_json(), r#"{"type":"pin_product","ref":"a-3","sku":null}"#);
}

#[test]
fn absurd_magnitudes_are_malformed_on_every_decode_path() {
    let order = |qty: &str, price: &str, extra: &str| {
        format!(
            r#"{{"type":"order","v":1,"seq":3,"ts":"t","order_id":"o","user":{{"id":"u","name":"n"}},"sku":"A","qty":{qty},"unit_price":"{price}","currency":"GBP","status":"paid"{extra}}}"#
        )
    };
    for (qty, price) in
        [("3", "79228162514264337593543950335"), ("0", "1.00"), ("1", "-5.00"), ("4000000000", "1")]
    {
        // The fast path, and the slow one (a foreign field of another type's name forces it).
        for extra in ["", r#","count":"oops""#] {
            let raw = order(qty, price, extra);
            assert!(matches!(decode_frame(&raw), Err(DecodeError::Malformed { .. })), "{raw}");
        }
    }
    let stock = r#"{"type":"stock","v":1,"seq":1,"ts":"t","sku":"A","available":4294967295}"#;
    assert!(matches!(decode_frame(stock), Err(DecodeError::Malformed { .. })));
    let script_event = serde_json::json!({"type":"moderation","action":"deleted"});
    assert!(matches!(decode_event(script_event), Err(DecodeError::Malformed { .. })));
}

#[test]
fn malformed_reasons_never_carry_escapes() {
    let raw = r#"{"type":"stream","v":1,"seq":1,"state":"\u001b]0;pwned\u0007"}"#;
    let Err(DecodeError::Malformed { reason, .. }) = decode_frame(raw) else { panic!("{raw}") };
    assert!(!reason.chars().any(|c| c.is_control()), "{reason:?}");
}
