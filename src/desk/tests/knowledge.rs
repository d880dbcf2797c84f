//! The shop's knowledge in use: the built-in `replies.toml`, `chat.toml` and catalogue, as a
//! new user gets them, answering real comments in several languages.

use std::collections::BTreeMap;

use super::*;
use crate::config::{EnvInfo, Paths};
use crate::desk::claims::Parsed;
use crate::desk::classify::Tag;
use crate::protocol::sanitize::{MAX_TEXT_CHARS, sanitize};

/// The setup of a desk on the built-in demo configuration, with `settings.toml` if given.
fn demo_setup(settings: Option<&str>) -> DeskSetup {
    let dir = tempfile::tempdir().unwrap();
    if let Some(s) = settings {
        std::fs::write(dir.path().join("settings.toml"), s).unwrap();
    }
    let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
    let config = crate::config::load(&paths, &EnvInfo::default()).unwrap();
    DeskSetup {
        shop: config.shop,
        scrollback: 1000,
        ref_prefix: "k".into(),
        source: "test".into(),
        demo: true,
        reply_uses: BTreeMap::new(),
        history: Default::default(),
        replay: false,
    }
}

fn demo_desk(settings: Option<&str>) -> Desk {
    Desk::new(demo_setup(settings))
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn viewer(name: &str, region: Option<&str>) -> User {
    User {
        id: format!("id-{name}"),
        name: name.into(),
        region: region.map(Into::into),
        badges: vec![],
        follower: false,
    }
}

fn say(d: &mut Desk, seq: u64, who: User, text: &str) -> Vec<Output> {
    let event = Event::Chat {
        msg_id: format!("m{seq}"),
        user: who,
        text: sanitize(text, MAX_TEXT_CHARS),
        reply_to: None,
    };
    d.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), t(seq as i64))
}

fn sent(out: &[Output]) -> Vec<(String, Option<String>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::SendChat { text, reply_to, .. }) => Some((text.clone(), reply_to.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_suggested_reply_fits_the_comment_in_three_languages() {
    // (region, comment, suggested reply id, words the sent text must hold)
    let table: [(Option<&str>, &str, Option<&str>, &str); 21] = [
        (Some("GB"), "do you ship to Manila?", Some("cant-ship"), "We only ship to the UK"),
        (Some("PH"), "ship to Philippines po?", Some("cant-ship"), "Sa the UK lang po"),
        (Some("MX"), "¿hacen envíos a México? 🇲🇽", Some("cant-ship"), "solo enviamos a the UK"),
        (Some("IE"), "do you ship to Ireland?", Some("cant-ship"), "only ship to the UK"),
        (Some("GB"), "do you ship to Manchester?", Some("delivery-time"), "arrive in 2-3 days"),
        (None, "how much is the almond pink?", Some("price"), "blush pink is £8.99"),
        (Some("GB"), "how much is P&P?", Some("postage"), "£2.99 by Royal Mail"),
        (Some("GB"), "Royal Mail or Evri? 🙏", Some("postage"), "Royal Mail tracked"),
        (None, "¿cuánto cuesta el french? 💅", Some("price"), "classic French cuesta £7.99"),
        (None, "magkano po yung glitter", Some("price"), "champagne glitter ay £12.99"),
        (Some("GB"), "what size should I get?", Some("sizing"), "12 sizes"),
        (None, "qué talla son?", Some("sizing"), "12 tallas"),
        (None, "how long do they last?", Some("wear"), "1-2 weeks"),
        (None, "where is the link??", Some("how-to-buy"), "tap the basket"),
        (Some("GB"), "my order never arrived 😡", Some("order-problem"), "order number"),
        (None, "is the glue safe for sensitive skin?", Some("glue-safe"), "patch test"),
        (
            Some("GB"),
            "what's in the glue kit?",
            Some("glue-kit"),
            "24 sticky tabs, a file and a cuticle stick, all for £5.49",
        ),
        (None, "¿qué trae el kit de pegamento?", Some("glue-kit"), "todo por £5.49"),
        (
            None,
            "\u{1b}[31mhow much\u{1b}[0m for \u{1b}]8;;http://x\u{7}the coffin nude\u{202e}?",
            Some("price"),
            "milky nude is £9.99",
        ),
        (Some("GB"), "love these colours 😍", None, ""),
        (Some("PH"), "💅💅💅", None, ""),
    ];
    for (i, (region, text, want, words)) in table.into_iter().enumerate() {
        let mut d = demo_desk(None);
        let seq = i as u64 + 1;
        say(&mut d, seq, viewer("ana", region), text);
        let msg_id = format!("m{seq}");
        let got = d.suggestion(&msg_id).map(|r| r.id().to_owned());
        assert_eq!(got.as_deref(), want, "{text:?}");
        let Some(id) = got else { continue };
        let out = d.apply(Input::Operator(Action::Answer { reply: id, to: Some(msg_id.clone()) }), t(100));
        let sent = sent(&out);
        assert_eq!(sent.len(), 1, "{text:?}: {:?}", d.notices().last());
        assert!(sent[0].0.contains(words), "{text:?} → {:?}", sent[0].0);
        assert_eq!(sent[0].1.as_deref(), Some(msg_id.as_str()));
        assert!(d.chat().by_msg_id(&msg_id).unwrap().answered);
    }
}

#[test]
fn a_buyer_the_shop_cannot_serve_is_tagged_and_counted_by_region() {
    let mut d = demo_desk(None);
    say(&mut d, 1, viewer("maricel", Some("PH")), "how much po?");
    say(&mut d, 2, viewer("wei", Some("SG")), "Do you ship to Singapore?");
    say(&mut d, 3, viewer("jo", Some("GB")), "do you ship to Manila for my sister?");
    say(&mut d, 4, viewer("amy", Some("GB")), "how much?");
    say(&mut d, 5, viewer("kris", Some("PH")), "my nails could never");
    let cant: Vec<bool> = d.chat().messages().iter().map(|m| m.tags.has(Tag::CantShip)).collect();
    assert_eq!(cant, [true, true, true, false, false]);
    assert_eq!(d.state.cant_ship, BTreeMap::from([("PH".into(), 2), ("SG".into(), 1)]));
}

#[test]
fn with_auto_answer_each_viewer_is_told_once_in_the_window() {
    let settings = "[shipping]\nships_to = [\"GB\", \"IE\"]\nauto_answer = true\nauto_answer_minutes = 10\n";
    let mut d = demo_desk(Some(settings));
    let out = say(&mut d, 1, viewer("maricel", Some("PH")), "do you ship to Manila?");
    assert_eq!(
        sent(&out),
        [("Hi @maricel! We only ship to the UK and Ireland for now, sorry! 💕".into(), Some("m1".into()))]
    );
    assert!(d.chat().by_msg_id("m1").unwrap().answered);
    // Again within ten minutes: tagged, not answered again.
    assert!(sent(&say(&mut d, 2, viewer("maricel", Some("PH")), "pls ship to PH? how much")).is_empty());
    assert!(d.chat().by_msg_id("m2").unwrap().tags.has(Tag::CantShip));
    // Someone else, and later the same viewer, are answered.
    assert_eq!(sent(&say(&mut d, 3, viewer("wei", Some("SG")), "ship to singapore?")).len(), 1);
    assert_eq!(sent(&say(&mut d, 700, viewer("maricel", Some("PH")), "how much?")).len(), 1);
    // Off by default.
    let mut d = demo_desk(None);
    assert!(sent(&say(&mut d, 1, viewer("maricel", Some("PH")), "do you ship to Manila?")).is_empty());
}

#[test]
fn replies_used_rise_and_a_reload_keeps_their_counts() {
    let mut d = demo_desk(None);
    say(&mut d, 1, viewer("ana", None), "how long do they last?");
    for _ in 0..3 {
        d.apply(Input::Operator(Action::Answer { reply: "wear".into(), to: Some("m1".into()) }), t(5));
    }
    d.apply(Input::Operator(Action::SendReply { key: "3".into(), to: None }), t(6));
    assert_eq!((d.replies().uses("wear"), d.replies().uses("sizing")), (3, 1));
    let mut specs = d.replies().all().to_vec();
    specs.retain(|r| r.id() != "sizing");
    d.apply(Input::Replies(specs), t(7));
    assert!(d.replies().by_id("sizing").is_none());
    assert_eq!(d.replies().uses("wear"), 3);
    assert!(d.notices().last().unwrap().text.starts_with("Reloaded replies.toml"));
    // Earlier streams' counts come in with the setup.
    let uses = BTreeMap::from([("sizing".to_owned(), 9)]);
    let d = Desk::new(DeskSetup { reply_uses: uses, ..demo_setup(None) });
    assert_eq!(d.replies().uses("sizing"), 9);
}

#[test]
fn a_comment_in_a_language_gets_the_reply_in_it_when_there_is_one() {
    let d = {
        let mut d = demo_desk(None);
        say(&mut d, 1, viewer("ana", None), "¿cuánto duran?");
        say(&mut d, 2, viewer("bo", None), "gaano katagal po");
        d
    };
    assert_eq!(d.state.classifier.language("¿cuánto duran?"), Some("es"));
    assert_eq!(d.state.classifier.language("magkano po"), Some("tl"));
    assert_eq!(d.state.classifier.language("how much is it"), None);
    assert_eq!(d.state.classifier.language("😍😍"), None);
    let wear = d.replies().by_id("wear").unwrap();
    assert!(d.reply_text(wear, Some("m1"), t(3)).unwrap().contains("semanas"));
    // No Tagalog text for this one: the reply's own.
    assert!(d.reply_text(wear, Some("m2"), t(3)).unwrap().contains("weeks"));
}

/// The reply the desk suggests for a comment said now by `who`.
fn suggested(d: &mut Desk, seq: u64, who: User, text: &str) -> Option<String> {
    say(d, seq, who, text);
    d.suggestion(&format!("m{seq}")).map(|r| r.id().to_owned())
}

#[test]
fn replies_with_a_key_and_no_keywords_are_suggested_for_hiya_just_joined_and_is_the_sale_still_on() {
    let mut d = demo_desk(None);
    assert_eq!(
        suggested(&mut d, 1, viewer("lyn", Some("GB")), "hiya just joined").as_deref(),
        Some("welcome")
    );
    assert_eq!(
        suggested(&mut d, 2, viewer("bea", Some("GB")), "followed and sent a gift 🎁").as_deref(),
        Some("thanks")
    );
    // No sale yet: the sale's replies do not fit.
    assert_eq!(suggested(&mut d, 3, viewer("kat", Some("GB")), "is the sale still on").as_deref(), None);
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(4));
    assert_eq!(
        suggested(&mut d, 5, viewer("mo", Some("GB")), "is the sale still on").as_deref(),
        Some("sale-start")
    );
    d.apply(Input::Operator(Action::EndSale { id: None }), t(6));
    assert_eq!(
        suggested(&mut d, 7, viewer("jen", Some("GB")), "is the sale still on?").as_deref(),
        Some("sale-ended")
    );
}

#[test]
fn a_viewer_is_welcomed_once_and_a_remark_gets_no_answer() {
    let mut d = demo_desk(None);
    let lyn = || viewer("lyn", Some("GB"));
    assert_eq!(suggested(&mut d, 1, lyn(), "hiya just joined").as_deref(), Some("welcome"));
    // Her greeting later in the stream is a goodbye, or chat: no second welcome.
    assert_ne!(suggested(&mut d, 2, lyn(), "hiya all, back from the kettle").as_deref(), Some("welcome"));
    assert_eq!(
        suggested(&mut d, 3, viewer("cat", Some("GB")), "where's the basket?").as_deref(),
        Some("how-to-buy")
    );
    // The basket named in a remark: no link is due.
    assert_eq!(
        suggested(&mut d, 4, viewer("bev", Some("GB")), "adding the red to my basket now").as_deref(),
        None
    );
}

#[test]
fn a_spam_repeat_gets_no_suggestion() {
    let mut d = demo_desk(None);
    assert_eq!(
        suggested(&mut d, 1, viewer("sam", Some("GB")), "how much is postage??").as_deref(),
        Some("postage")
    );
    say(&mut d, 2, viewer("sam", Some("GB")), "how much is postage??");
    assert!(d.chat().by_msg_id("m2").unwrap().tags.has(Tag::Spam));
    assert_eq!(d.suggestion("m2"), None);
}

#[test]
fn how_much_is_shipping_gets_postage_and_how_long_do_they_stay_on_gets_wear() {
    let mut d = demo_desk(None);
    assert_eq!(
        suggested(&mut d, 1, viewer("a", Some("GB")), "how much is shipping").as_deref(),
        Some("postage")
    );
    assert_eq!(
        suggested(&mut d, 2, viewer("b", Some("GB")), "how long do they stay on").as_deref(),
        Some("wear")
    );
    assert_eq!(
        suggested(&mut d, 3, viewer("c", Some("GB")), "stiletto red, what length are they").as_deref(),
        Some("sizing")
    );
}

#[test]
fn price_on_the_red_quotes_the_product_named_not_the_one_on_screen() {
    let mut d = demo_desk(None);
    d.apply(Input::Operator(Action::PinProduct { sku: Some("SQUARE-FRENCH".into()) }), t(0));
    assert_eq!(suggested(&mut d, 1, viewer("a", Some("GB")), "price on the red").as_deref(), Some("price"));
    let text = d.reply_text(d.replies().by_id("price").unwrap(), Some("m1"), t(2)).unwrap();
    assert!(text.contains("cherry red"), "{text}");
}

#[test]
fn the_explain_line_says_what_the_desk_made_of_a_comment() {
    let mut d = demo_desk(None);
    say(&mut d, 1, viewer("maricel", Some("PH")), "how much po?");
    let e = d.explain("m1").unwrap();
    assert_eq!((e.viewer.as_str(), e.reply_language.as_deref()), ("maricel", Some("tl")));
    assert_eq!(e.tags, ["question", "buyer", "cant-ship"]);
    let why = e.cant_ship.unwrap();
    assert_eq!((why.region.as_str(), why.why.as_str()), ("PH", "viewer's region"));
    assert_eq!(e.suggestion.unwrap().id, "cant-ship");
    say(&mut d, 2, viewer("jo", Some("GB")), "do you ship to Manila?");
    assert_eq!(d.explain("m2").unwrap().cant_ship.unwrap().why, "place named");
    say(&mut d, 3, viewer("jo", Some("GB")), "sold 2 almond pink");
    let e = d.explain("m3").unwrap();
    let claim = e.claim.unwrap();
    assert_eq!((claim.product.as_deref(), claim.quantity), (Some("ALMOND-PINK"), 2));
    assert_eq!(e.suggestion, None, "a claim is answered by the claim's own replies");
}

#[test]
fn a_reply_names_the_product_a_stretched_comment_names_as_its_claim_does() {
    let mut d = demo_desk(None);
    d.apply(Input::Operator(Action::PinProduct { sku: Some("SQUARE-FRENCH".into()) }), t(0));
    let (parsed, _) = d.claims().matcher.parse("sold stilettooo?");
    assert_eq!(parsed, Parsed::Claim { sku: Some("STILETTO-RED".into()), qty: 1, explicit: true });
    say(&mut d, 1, viewer("a", Some("GB")), "how much is the stilettooo?");
    let text = d.reply_text(d.replies().by_id("price").unwrap(), Some("m1"), t(2)).unwrap();
    assert!(text.contains("cherry red"), "{text}");
}

#[test]
fn sold_almonddd_pink_claims_almond_pink_and_how_muchhh_is_almonddd_pink_gets_its_price() {
    let mut d = demo_desk(None);
    d.apply(Input::Operator(Action::PinProduct { sku: Some("SQUARE-FRENCH".into()) }), t(0));
    say(&mut d, 1, viewer("a", Some("GB")), "sold almonddd pink");
    let claim = d.explain("m1").unwrap().claim.unwrap();
    assert_eq!((claim.product.as_deref(), claim.quantity), (Some("ALMOND-PINK"), 1));
    // The reply's keyword ("how much") and the product meet the stretched words as the claim did.
    let asked = suggested(&mut d, 2, viewer("b", Some("GB")), "how muchhh is almonddd pink?");
    assert_eq!(asked.as_deref(), Some("price"));
    let text = d.reply_text(d.replies().by_id("price").unwrap(), Some("m2"), t(3)).unwrap();
    assert!(text.contains("almond, blush pink"), "{text}");
}

#[test]
fn a_thinking_hmmm_is_not_the_taglish_hm_for_how_much() {
    let mut d = demo_desk(None);
    d.apply(Input::Operator(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(0));
    let musing = suggested(&mut d, 1, viewer("a", Some("GB")), "hmmm not sure about the colour");
    let asking = suggested(&mut d, 2, viewer("b", Some("GB")), "hm po?");
    assert!(!tags_of(&d, "m1").contains(&"buyer"), "{:?}", tags_of(&d, "m1"));
    assert_ne!(musing.as_deref(), Some("price"));
    assert!(tags_of(&d, "m2").contains(&"buyer"), "{:?}", tags_of(&d, "m2"));
    assert_eq!(asking.as_deref(), Some("price"));
}

/// The suggestion's reply, and whether the reply model's reading is among its reasons.
fn suggested_by_model(d: &mut Desk, seq: u64, who: User, text: &str) -> (Option<String>, bool) {
    say(d, seq, who, text);
    match d.suggest(&format!("m{seq}")) {
        Some(s) => (Some(s.reply.id().to_owned()), s.reasons.iter().any(|r| r.starts_with("reads as "))),
        None => (None, false),
    }
}

#[test]
fn the_reply_model_answers_comments_no_keyword_names() {
    // None of these is in the corpus, and no reply of the demo has a keyword of theirs.
    let mut d = demo_desk(None);
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(1));
    let live = [("is the deal still going", "sale-start"), ("wat comes in the glue kit", "glue-kit")];
    for (i, (text, want)) in live.into_iter().enumerate() {
        let (got, by_model) =
            suggested_by_model(&mut d, 2 + i as u64, viewer(&format!("v{i}"), Some("GB")), text);
        assert_eq!((got.as_deref(), by_model), (Some(want), true), "{text:?}");
    }
    // A reply that answers a kind under another id says so with `answers`.
    let mut shop = demo_setup(None).shop;
    for r in &mut shop.replies.replies {
        if r.id() == "glue-kit" {
            r.id = Some("whats-in-the-box".into());
            r.answers = Some("glue-kit".into());
        }
    }
    let mut d = Desk::new(DeskSetup { shop, ..demo_setup(None) });
    let (got, by_model) =
        suggested_by_model(&mut d, 1, viewer("ro", Some("GB")), "wat comes in the glue kit");
    assert_eq!((got.as_deref(), by_model), (Some("whats-in-the-box"), true));
}
