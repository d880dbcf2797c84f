//! Snapshot tests of whole frames on a `TestBackend`, and behaviour tests of the view state.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use super::*;
use crate::config::keymap::{KeyAction, KeyChord, Keymap, Mode};
use crate::config::model::{
    Catalog as CatalogFile, ClaimsConfig, GiveawaySpec, ProductSpec, Replies as RepliesFile, ReplySpec,
    SaleSpec, SalesPlan, ShopConfig,
};
use crate::desk::{Action, DeskSetup, Input, LinkEvent};
use crate::protocol::{Event, Frame, Gift, ModAction, OrderStatus, StreamInfo, User};
use crate::ui::panes::adjust::AdjustField;

// ---------------------------------------------------------------- fixtures

fn shop() -> ShopConfig {
    let product = |sku: &str, name: &str, price: &str, stock: u32, low_stock: u32| ProductSpec {
        sku: sku.into(),
        name: name.into(),
        price: price.parse().unwrap(),
        stock,
        low_stock,
        aliases: vec![],
        code: None,
        variants: vec![],
    };
    let sale = |id: &str, sku: &str, price: &str, quantity: u32, seconds: u32| {
        SaleSpec::new(id, sku, price.parse().unwrap(), quantity, seconds)
    };
    let reply = |key: &str, title: &str, text: &str, tag: &str| ReplySpec {
        key: Some(key.into()),
        title: title.into(),
        text: text.into(),
        tags: vec![tag.into()],
        ..ReplySpec::new(title, text)
    };
    ShopConfig {
        catalog: CatalogFile {
            currency: "GBP".into(),
            products: vec![
                product("ALMOND-PINK", "Press-on nails, almond, blush pink", "8.99", 20, 5),
                product("COFFIN-NUDE", "Press-on nails, coffin, milky nude", "9.99", 30, 6),
                product("STILETTO-RED", "Press-on nails, stiletto, cherry red", "11.99", 15, 4),
                product("OVAL-GLITTER", "Press-on nails, oval, champagne glitter", "12.99", 12, 3),
                product("NAIL-GLUE-KIT", "Nail glue kit", "5.49", 25, 5),
            ],
        },
        sales: SalesPlan {
            sales: vec![
                sale("almond-rush", "ALMOND-PINK", "4.99", 10, 120),
                sale("coffin-flash", "COFFIN-NUDE", "6.99", 8, 90),
                SaleSpec {
                    preheat: Some(20),
                    per_customer: Some(2),
                    starts_at: Some(t(20_000)),
                    ..sale("glue-bundle", "NAIL-GLUE-KIT", "2.99", 12, 60)
                },
            ],
        },
        giveaways: Default::default(),
        show: Default::default(),
        replies: RepliesFile {
            allowed_links: vec![],
            replies: vec![
                reply(
                    "1",
                    "Shipping: UK only",
                    "Hi @{user}! We only ship to the UK for now, sorry! 💕",
                    "shipping",
                ),
                reply(
                    "2",
                    "Price and stock",
                    "@{user} {product} is {price} right now, {stock} left!",
                    "price",
                ),
                reply("3", "Sizing", "@{user} every set has 24 nails in 12 sizes", "sizing"),
                reply("4", "How to buy", "@{user} tap the basket at the bottom of the screen", "checkout"),
                reply("5", "Flash sale is on", "FLASH SALE! {product} for {price}!", "sale-start"),
                reply("6", "Sold out", "{product} is SOLD OUT! Thank you all 💖", "sold-out"),
                ReplySpec {
                    key: None,
                    ..reply("x", "Claim confirmed", "@{user} {product} is yours!", "claim-confirmed")
                },
                ReplySpec {
                    key: None,
                    ..reply("x", "Claim waitlisted", "@{user} you're in line", "claim-waitlisted")
                },
            ],
        },
        claims: ClaimsConfig::default(),
        chat: crate::config::model::ChatConfig::default(),
        shipping: Default::default(),
        quiet: Default::default(),
    }
}

/// How the ui tests' desks start: the busy shop, live (no demo, no replay), nothing learned.
fn setup() -> DeskSetup {
    DeskSetup {
        shop: shop(),
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "ws://127.0.0.1:9000".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    }
}

/// A desk of `shop`, with the welcome frame in.
fn welcomed(shop: ShopConfig) -> Desk {
    let mut d = Desk::new(DeskSetup { shop, ..setup() });
    welcome(&mut d);
    d
}

/// The giveaway the ui tests plan: a nail glue kit for `winners`, entered by "giveaway".
fn glue_kit(winners: u32) -> GiveawaySpec {
    GiveawaySpec {
        id: "glue-kit".into(),
        prize: "a nail glue kit".into(),
        winners,
        keyword: "giveaway".into(),
        seconds: 60,
        followers_only: false,
        min_watch_seconds: 0,
        start_text: None,
        winners_text: None,
    }
}

fn desk_with(scrollback: usize, demo: bool) -> Desk {
    Desk::new(DeskSetup { scrollback, demo, ..setup() })
}

fn desk() -> Desk {
    desk_with(1000, false)
}

/// The default keymap's bindings, written out so these tests do not depend on file loading.
fn keymap() -> Keymap {
    let parse = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, a)| (KeyChord::parse(k).unwrap(), KeyAction::from_name(a).unwrap()))
            .collect::<Vec<_>>()
    };
    Keymap {
        name: "default".into(),
        normal: parse(&[
            ("?", "help"),
            ("q", "quit"),
            ("s", "start_sale"),
            ("+", "extend_sale"),
            ("E", "end_sale"),
            ("P", "pause_sale"),
            ("g", "start_giveaway"),
            ("G", "draw_giveaway"),
            (">", "next_cue"),
            ("<", "previous_cue"),
            ("p", "pin_product"),
            ("u", "unpin_product"),
            ("a", "adjust_stock"),
            ("y", "confirm_claim"),
            ("n", "reject_claim"),
            ("W", "toggle_waitlist"),
            ("v", "cycle_view"),
            ("A", "view_all"),
            ("Q", "view_questions"),
            ("B", "view_buyers"),
            ("U", "view_unanswered"),
            ("M", "view_mentions"),
            ("esc", "view_all"),
            ("w", "view_viewer"),
            ("/", "search"),
            ("x", "mark_handled"),
            ("T", "retag"),
            ("t", "send_suggestion"),
            ("R", "pick_reply"),
            ("D", "delete_message"),
            ("Z", "mute_viewer"),
            ("!", "pin_message"),
            ("enter", "activate"),
            ("tab", "focus_next"),
            ("shift-tab", "focus_prev"),
            ("c", "focus_chat"),
            ("f", "focus_sale"),
            ("k", "focus_stock"),
            ("r", "focus_replies"),
            ("l", "focus_claims"),
            ("up", "up"),
            ("down", "down"),
            ("pgup", "page_up"),
            ("pgdn", "page_down"),
            ("home", "top"),
            ("end", "bottom"),
        ]),
        help: parse(&[
            ("esc", "close"),
            ("?", "close"),
            ("q", "close"),
            ("up", "up"),
            ("down", "down"),
            ("pgup", "page_up"),
            ("pgdn", "page_down"),
            ("home", "top"),
            ("end", "bottom"),
        ]),
        held: parse(&[("y", "send_held"), ("enter", "send_held"), ("n", "drop_held"), ("esc", "drop_held")]),
    }
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn user(name: &str, region: Option<&str>) -> User {
    User {
        id: format!("id-{name}"),
        name: name.into(),
        region: region.map(Into::into),
        badges: vec![],
        follower: false,
    }
}

fn feed(desk: &mut Desk, seq: u64, event: Event, at: DateTime<Utc>) {
    desk.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), at);
}

fn say(desk: &mut Desk, seq: u64, name: &str, text: &str, at: DateTime<Utc>) {
    let event = Event::Chat {
        msg_id: format!("m{seq}"),
        user: user(name, Some("PH")),
        text: text.into(),
        reply_to: None,
    };
    feed(desk, seq, event, at);
}

fn ask(desk: &mut Desk, seq: u64, name: &str, text: &str, at: DateTime<Utc>) {
    feed(
        desk,
        seq,
        Event::Question { msg_id: format!("m{seq}"), user: user(name, None), text: text.into() },
        at,
    );
}

fn order(desk: &mut Desk, seq: u64, sku: &str, qty: u32, price: &str, at: DateTime<Utc>) {
    let event = Event::Order {
        order_id: format!("o{seq}"),
        user: user("bea", Some("GB")),
        sku: sku.into(),
        qty,
        unit_price: price.parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Paid,
    };
    feed(desk, seq, event, at);
}

fn welcome(desk: &mut Desk) {
    let stream = StreamInfo {
        id: "s1".into(),
        title: "Nails night".into(),
        currency: "GBP".into(),
        ..Default::default()
    };
    feed(desk, 1, Event::Welcome { stream, resumed: false, epoch: None }, t(0));
    feed(desk, 2, Event::Viewers { count: 1234 }, t(0));
}

/// A stream a few minutes in: chat of every kind, an order, a gift, a deletion.
fn busy_desk() -> Desk {
    let mut d = desk();
    welcome(&mut d);
    let lines = [
        ("maria", "hi from Manila!! 💅💅"),
        ("jo", "love the pink ones"),
        ("kenji", "日本に発送できますか？ 送料はいくらですか"),
        ("ana", "how long do they last with glue?"),
        ("sam", "👩‍👩‍👧 family night watching this 🇵🇭🇬🇧"),
        ("lee", "click my bio for free followers"),
        (
            "ola",
            "the almond shape is so pretty, is there a size guide somewhere? I have really small nail beds and the last set I bought did not fit at all",
        ),
    ];
    let mut seq = 10;
    for (i, (name, text)) in lines.iter().enumerate() {
        say(&mut d, seq, name, text, t(10 + i as i64 * 7));
        seq += 1;
    }
    ask(&mut d, seq, "maria", "do you ship to the Philippines?", t(70));
    seq += 1;
    feed(
        &mut d,
        seq,
        Event::Moderation {
            action: ModAction::Deleted,
            msg_id: Some("m15".into()),
            user_id: None,
            by: Some("mod".into()),
        },
        t(71),
    );
    seq += 1;
    order(&mut d, seq, "COFFIN-NUDE", 2, "9.99", t(75));
    seq += 1;
    let gift = Gift { name: "Rose".into(), value: "0.10".parse().unwrap(), currency: "GBP".into() };
    feed(&mut d, seq, Event::Gift { user: user("jo", None), gift, repeat: 5 }, t(80));
    seq += 1;
    let host = User { badges: vec!["host".into()], ..user("NailsByNia", None) };
    feed(
        &mut d,
        seq,
        Event::Chat {
            msg_id: format!("m{seq}"),
            user: host,
            text: "welcome everyone!".into(),
            reply_to: None,
        },
        t(85),
    );
    seq += 1;
    say(&mut d, seq, "zoe", "just joined, what's the deal today?", t(90));
    d.apply(Input::Tick, t(100));
    d
}

fn render(desk: &Desk, view: &mut ViewState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let (theme, keymap) = (Theme::default(), keymap());
    terminal.draw(|f| draw(f, desk, view, &theme, &keymap)).unwrap();
    terminal
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

fn act(view: &mut ViewState, desk: &Desk, action: KeyAction) -> Effect {
    view.on_action(action, desk)
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn start(desk: &mut Desk, id: &str, at: DateTime<Utc>) {
    desk.apply(Input::Operator(Action::StartSale { id: id.into() }), at);
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_chat_following() {
    let d = busy_desk();
    let mut view = ViewState::new();
    insta::assert_snapshot!("chat_following_120x40", render(&d, &mut view, 120, 40).backend());
    insta::assert_snapshot!("chat_following_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn snapshot_chat_paused_with_new_messages_and_a_selection() {
    let mut d = busy_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 120, 40);
    for _ in 0..4 {
        act(&mut view, &d, KeyAction::Up);
    }
    for i in 0..5 {
        say(&mut d, 100 + i, "newbie", &format!("hello number {i}"), t(101 + i as i64));
    }
    let term = render(&d, &mut view, 120, 40);
    assert!(screen(&term).contains("▼ 5 new — end to follow"));
    // Maria's question is selected: its row, and only its row, has the selection background.
    let selected_bg = Theme::default().selected.bg.unwrap();
    let buf = term.backend().buffer();
    let rows = view.hits.chat_rows_area;
    let highlighted: Vec<u64> = (rows.y..rows.bottom())
        .filter(|&y| buf[(rows.x + 1, y)].bg == selected_bg)
        .filter_map(|y| view.hits.chat_rows[usize::from(y - rows.y)])
        .collect();
    assert_eq!(highlighted, vec![index_of(&d, "m17")]);
    insta::assert_snapshot!("chat_paused_120x40", term.backend());
    insta::assert_snapshot!("chat_paused_80x24", render(&d, &mut view, 80, 24).backend());
}

fn live_sale_desk(elapsed: i64) -> Desk {
    let mut d = busy_desk();
    start(&mut d, "almond-rush", t(100));
    order(&mut d, 200, "ALMOND-PINK", 3, "4.99", t(100 + elapsed / 2));
    order(&mut d, 201, "ALMOND-PINK", 4, "4.99", t(100 + elapsed / 2));
    d.apply(Input::Tick, t(100 + elapsed));
    d
}

#[test]
fn snapshot_live_flash_sale_with_big_countdown() {
    let d = live_sale_desk(15);
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains("7/10 sold"), "{s}");
    assert!(s.contains("£4.99  was £8.99  3 left"), "{s}");
    insta::assert_snapshot!("sale_live_120x40", term.backend());
    insta::assert_snapshot!("sale_live_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn snapshot_flash_sale_in_its_last_seconds_is_urgent() {
    let d = live_sale_desk(95);
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    insta::assert_snapshot!("sale_urgent_120x40", term.backend());
    // The digits are drawn in the urgent style.
    let theme = Theme::default();
    let buf = term.backend().buffer();
    let sale = view.hits.panes[1].1;
    let digit = sale.positions().find(|p| buf[(p.x, p.y)].symbol() == "█").expect("big digits drawn");
    assert_eq!(buf[(digit.x, digit.y)].fg, theme.sale_urgent.fg.unwrap());
}

#[test]
fn snapshot_flash_sale_last_call_shows_the_10_second_warning() {
    let d = live_sale_desk(112);
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" 10 s LEFT  almond-rush"), "{s}");
    insta::assert_snapshot!("sale_last_call_120x40", term.backend());
}

#[test]
fn snapshot_a_preheat_counts_down_to_the_start() {
    let mut d = busy_desk();
    start(&mut d, "glue-bundle", t(100));
    d.apply(Input::Tick, t(105));
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" STARTS IN  glue-bundle"), "{s}");
    assert!(s.contains("glue-bundle  STARTS 0:15"), "{s}");
    insta::assert_snapshot!("sale_preheat_120x40", term.backend());
    let s = screen(&render(&d, &mut view, 80, 24));
    assert!(s.contains(" STARTS IN  glue-bundle"), "{s}");
}

#[test]
fn snapshot_a_paused_sale_is_plain_to_see() {
    let mut d = live_sale_desk(15);
    d.apply(Input::Operator(Action::PauseSale { id: None }), t(120));
    d.apply(Input::Tick, t(180));
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" PAUSED  almond-rush") && s.contains("P resume"), "{s}");
    assert!(s.contains("almond-rush  PAUSED 7/10"), "{s}");
    insta::assert_snapshot!("sale_paused_120x40", term.backend());
    insta::assert_snapshot!("sale_paused_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn snapshot_several_sales_at_once_the_most_urgent_big() {
    let mut d = live_sale_desk(15);
    start(&mut d, "coffin-flash", t(116));
    start(&mut d, "glue-bundle", t(117));
    d.apply(Input::Tick, t(125));
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    // coffin-flash ends first: it is big; the others are a line each.
    assert!(s.contains(" LIVE  coffin-flash"), "{s}");
    assert!(s.contains("LIVE almond-rush 1:35 · 7/10"), "{s}");
    assert!(s.contains("STARTS IN glue-bundle 0:12 · 0/12"), "{s}");
    insta::assert_snapshot!("sale_several_120x40", term.backend());
    insta::assert_snapshot!("sale_several_80x24", render(&d, &mut view, 80, 24).backend());
}

#[test]
fn snapshot_no_sale_running() {
    let d = busy_desk();
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    act(&mut view, &d, KeyAction::Down);
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    assert!(s.contains("No flash sale running"));
    assert!(s.contains("s start almond-rush"), "{s}");
    insta::assert_snapshot!("sale_none_80x24", term.backend());
}

fn stock_desk() -> Desk {
    let mut d = busy_desk();
    order(&mut d, 300, "STILETTO-RED", 12, "11.99", t(90)); // 3 left: LOW
    order(&mut d, 301, "OVAL-GLITTER", 12, "12.99", t(91)); // SOLD OUT
    order(&mut d, 302, "OVAL-GLITTER", 2, "12.99", t(92)); // OVERSOLD 2
    order(&mut d, 303, "MYSTERY-BOX", 1, "1.00", t(93)); // not in the catalog
    d.apply(Input::Operator(Action::PinProduct { sku: Some("COFFIN-NUDE".into()) }), t(95));
    start(&mut d, "almond-rush", t(96));
    d.apply(Input::Tick, t(100));
    d
}

#[test]
fn snapshot_stock_with_low_sold_out_and_oversold() {
    let d = stock_desk();
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    act(&mut view, &d, KeyAction::Down);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for flag in ["LOW", "SOLD OUT", "OVERSOLD 2", "MYSTERY-BOX", "SALE", "*COFFIN-NUDE"] {
        assert!(s.contains(flag), "{flag} missing:\n{s}");
    }
    insta::assert_snapshot!("stock_flags_120x40", term.backend());
    insta::assert_snapshot!("stock_flags_80x24", render(&d, &mut view, 80, 24).backend());
}

/// A rush on almond pink (sixteen orders in a hundred seconds, four left) and a steady
/// trickle on coffin nude.
fn rush_desk() -> Desk {
    let mut d = busy_desk();
    for n in 0..16 {
        order(&mut d, 400 + n, "ALMOND-PINK", 1, "8.99", t(100 + n as i64 * 6));
    }
    for n in 0..6 {
        order(&mut d, 450 + n, "COFFIN-NUDE", 1, "9.99", t(110 + n as i64 * 18));
    }
    d.apply(Input::Tick, t(200));
    d
}

#[test]
fn snapshot_stock_with_a_sell_out_forecast_and_its_prompt() {
    let d = rush_desk();
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for part in
        ["out in ~30 s", "ALMOND-PINK out in ~30 s:", "a restock", "s start almond-rush", "W close waitlist"]
    {
        assert!(s.contains(part), "{part} missing:\n{s}");
    }
    assert!(s.contains("out in ~6 min"), "a slower seller gets its time, no prompt:\n{s}");
    insta::assert_snapshot!("stock_forecast_120x40", term.backend());
    insta::assert_snapshot!("stock_forecast_80x24", render(&d, &mut view, 80, 24).backend());
}

/// The Stock pane alone, `w` columns wide and 12 rows tall, focused.
fn stock_pane(d: &Desk, w: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, 12)).unwrap();
    let (theme, keymap) = (Theme::default(), keymap());
    let ctx = crate::ui::panes::Ctx { desk: d, theme: &theme, keymap: &keymap };
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    term.draw(|f| {
        let area = f.area();
        crate::ui::panes::stock::draw(f.buffer_mut(), area, &ctx, &mut view, true);
    })
    .unwrap();
    term
}

#[test]
fn snapshot_a_narrowing_stock_pane_says_the_sell_out_prompt_shorter_and_keeps_every_key() {
    let d = rush_desk();
    // The prompt's rows: the last three inside the frame.
    let prompt = |term: &Terminal<TestBackend>| {
        let s = screen(term);
        let rows: Vec<&str> = s.lines().collect();
        rows[rows.len() - 4..rows.len() - 1].join("\n")
    };
    let cases = [
        (60, vec!["ALMOND-PINK out in ~30 s:", "a restock", "s start almond-rush", "W close waitlist"]),
        (26, vec!["~30 s:", "a restock", "s start", "W waitlist"]),
        (16, vec!["~30 s", " a", " s", " W"]),
    ];
    for (w, parts) in cases {
        let term = stock_pane(&d, w);
        let p = prompt(&term);
        for part in parts {
            assert!(p.contains(part), "{w} columns, {part:?} missing:\n{}", screen(&term));
        }
        assert!(!p.contains("close waitl…") && !p.contains("almond-ru…"), "nothing cut:\n{p}");
        insta::assert_snapshot!(format!("stock_prompt_{w}_wide"), term.backend());
    }
}

#[test]
fn the_prompts_keys_act_on_the_product_selling_out() {
    let d = rush_desk();
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    assert_eq!(
        act(&mut view, &d, KeyAction::ToggleWaitlist),
        Effect::Desk(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false })
    );
    act(&mut view, &d, KeyAction::AdjustStock);
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("Adjust stock · ALMOND-PINK"), "{s}");
    // Another row selected: the keys act on it, and the prompt says to select the one going.
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    act(&mut view, &d, KeyAction::Down);
    act(&mut view, &d, KeyAction::Down);
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("ALMOND-PINK out in ~30 s: select it for"), "{s}");
    assert_eq!(
        act(&mut view, &d, KeyAction::ToggleWaitlist),
        Effect::Desk(Action::Waitlist { sku: "COFFIN-NUDE".into(), open: false })
    );
    // Once it is closed, the prompt offers to open it again.
    let mut d = d;
    d.apply(Input::Operator(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false }), t(201));
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    assert!(screen(&render(&d, &mut view, 120, 40)).contains("W open waitlist"));
    assert_eq!(
        act(&mut view, &d, KeyAction::ToggleWaitlist),
        Effect::Desk(Action::Waitlist { sku: "ALMOND-PINK".into(), open: true })
    );
}

#[test]
fn snapshot_replies_pane_focused_with_a_selection() {
    let d = busy_desk();
    let mut view = ViewState { focus: Pane::Replies, ..ViewState::new() };
    act(&mut view, &d, KeyAction::Down);
    act(&mut view, &d, KeyAction::Down);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains("1-6 send → @zoe"), "{s}");
    insta::assert_snapshot!("replies_120x40", term.backend());
}

#[test]
fn snapshot_status_bar_with_demo_badge_and_a_notice() {
    let mut d = desk_with(1000, true);
    welcome(&mut d);
    say(&mut d, 10, "maria", "hello", t(1));
    d.apply(Input::Link(LinkEvent::Gap { missed: 3 }), t(2));
    // A frame stamped 140 ms before the desk read it: the lag the status bar shows.
    let ts = (t(2) - chrono::Duration::milliseconds(140)).to_rfc3339();
    let ack = Event::Ack { reference: "none".into(), ok: true, error: None };
    d.apply(Input::Feed(Frame { v: 1, seq: 11, ts, event: ack }), t(2));
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" DEMO "));
    assert!(s.contains("Missed 3 event(s) from the platform"));
    assert!(s.contains("? help  q quit  s sale"));
    insta::assert_snapshot!("status_demo_notice_120x40", term.backend());
    insta::assert_snapshot!("status_demo_notice_80x24", render(&d, &mut view, 80, 24).backend());
    // Eight seconds later the notice is gone.
    d.apply(Input::Tick, t(11));
    assert!(!screen(&render(&d, &mut view, 120, 40)).contains("Missed 3"));
}

#[test]
fn snapshot_status_bar_while_reconnecting() {
    let mut d = busy_desk();
    d.apply(Input::Link(LinkEvent::Disconnected { reason: "reset".into(), retry_in_ms: 2500 }), t(100));
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    assert!(s.contains("◌ reset, retrying in 3s (attempt 1)"), "{s}");
    let status = s.lines().skip(22).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("status_reconnecting_80x24", status);
}

#[test]
fn the_status_bar_says_why_it_retries_and_that_the_numbering_restarted() {
    let mut d = busy_desk();
    d.apply(Input::Link(LinkEvent::Connecting { attempt: 1 }), t(99));
    let reason = "no welcome in 10 s";
    d.apply(Input::Link(LinkEvent::Disconnected { reason: reason.into(), retry_in_ms: 1_500 }), t(100));
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("◌ no welcome in 10 s, retrying in 2s (attempt 1)"), "{s}");
    d.apply(Input::Tick, t(102));
    assert!(screen(&render(&d, &mut view, 120, 40)).contains("◌ no welcome in 10 s, retrying now"));

    d.apply(Input::Link(LinkEvent::Renumbered), t(103));
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("platform restarted its numbering"), "{s}");
    assert!(s.contains("The platform restarted its numbering: its new events are shown"), "{s}");
    d.apply(Input::Tick, t(170));
    assert!(!screen(&render(&d, &mut view, 120, 40)).contains("platform restarted its numbering"));
}

#[test]
fn snapshot_status_bar_while_the_feed_is_quiet() {
    let mut d = desk();
    welcome(&mut d);
    feed(&mut d, 3, Event::Viewers { count: 3400 }, t(1));
    say(&mut d, 4, "maria", "hello", t(2));
    d.apply(Input::Tick, t(82));
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 80, 24);
    let status = screen(&term).lines().skip(22).collect::<Vec<_>>().join("\n");
    assert!(status.contains("● live  feed quiet 1:20 · 3,400 viewers"), "{status}");
    insta::assert_snapshot!("status_feed_quiet_80x24", status);
    // The next comment ends it.
    say(&mut d, 5, "bea", "anyone there?", t(83));
    assert!(!screen(&render(&d, &mut view, 80, 24)).contains("feed quiet"));
}

#[test]
fn a_failed_link_with_a_long_reason_still_fits_80_columns() {
    let mut d = busy_desk();
    let reason = "the platform closed the connection: token expired, sign in again and restart the stream";
    d.apply(Input::Link(LinkEvent::Failed { reason: reason.into() }), t(100));
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    let first = s.lines().nth(22).unwrap();
    assert!(first.contains("✖ failed: the platform"), "{first}");
    assert!(first.ends_with("02:15:00 \""), "the clock must stay visible: {first}");
}

#[test]
fn snapshot_help_popup() {
    let d = busy_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Help);
    assert_eq!(view.mode(), Mode::Help);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for line in [
        "start the selected (or next) flash sale",
        "pause or resume",
        "next chat view",
        "mark the selected comment handled",
        "shift-tab",
        "confirm the selected",
    ] {
        assert!(s.contains(line), "{line} missing:\n{s}");
    }
    assert!(!s.contains("Claim confirmed"), "a reply with no key is not a key:\n{s}");
    insta::assert_snapshot!("help_120x40", term.backend());
    act(&mut view, &d, KeyAction::PageDown);
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("Shipping: UK only"), "the reply keys are listed:\n{s}");
    // The end of the help: the adjust popup's keys and the help's own.
    act(&mut view, &d, KeyAction::Bottom);
    let s = screen(&render(&d, &mut view, 120, 40));
    for line in ["In the stock adjust popup", "+n -n =n", "esc, ?, q"] {
        assert!(s.contains(line), "{line} missing:\n{s}");
    }
    act(&mut view, &d, KeyAction::Top);
    insta::assert_snapshot!("help_80x24", render(&d, &mut view, 80, 24).backend());
    // Scrolling at 80x24, then closing.
    act(&mut view, &d, KeyAction::Bottom);
    let term = render(&d, &mut view, 80, 24);
    assert!(screen(&term).contains("esc, ?, q"), "{}", screen(&term));
    insta::assert_snapshot!("help_80x24_scrolled", term.backend());
    act(&mut view, &d, KeyAction::Close);
    assert!(!view.help_open());
}

#[test]
fn snapshot_terminal_too_small() {
    let d = busy_desk();
    let mut view = ViewState::new();
    insta::assert_snapshot!("too_small_79x24", render(&d, &mut view, 79, 24).backend());
    insta::assert_snapshot!("too_small_30x8", render(&d, &mut view, 30, 8).backend());
}

// ---------------------------------------------------------------- behaviour

fn index_of(d: &Desk, msg_id: &str) -> u64 {
    d.chat().by_msg_id(msg_id).unwrap().index
}

#[test]
fn following_selects_the_newest_viewer_message() {
    let mut d = busy_desk();
    let view = ViewState::new();
    assert_eq!(view.selected_message(&d).unwrap().user_name, "zoe");
    order(&mut d, 500, "COFFIN-NUDE", 1, "9.99", t(101));
    assert_eq!(view.selected_message(&d).unwrap().user_name, "zoe");
    // The shop's own reply, echoed back, is not what the next reply key answers either.
    let mut shop = user("Nail Nook", None);
    shop.badges = vec!["operator".into()];
    let echo = Event::Chat { msg_id: "op-1".into(), user: shop, text: "Hi @zoe!".into(), reply_to: None };
    feed(&mut d, 501, echo, t(102));
    assert_eq!(view.selected_message(&d).unwrap().user_name, "zoe");
    let mut view = view;
    assert_eq!(
        view.on_unbound_key(&key('1'), &d),
        Effect::Desk(Action::Answer {
            reply: d.replies().by_key("1").unwrap().id().into(),
            to: Some(d.chat().messages().iter().rev().nth(2).unwrap().msg_id.clone())
        })
    );
}

#[test]
fn selection_survives_new_messages_and_eviction() {
    let mut d = desk_with(50, false);
    for i in 0..30 {
        say(&mut d, i, "u", &format!("msg {i}"), t(i as i64));
    }
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::Up);
    assert!(!view.following());
    let picked = view.selected_message(&d).unwrap().msg_id.clone();
    assert_eq!(picked, "m27");
    for i in 30..70 {
        say(&mut d, i, "u", &format!("msg {i}"), t(i as i64));
    }
    // 20 messages were evicted; the selection is still the same message.
    assert_eq!(d.chat().first_index(), 20);
    assert_eq!(view.selected_message(&d).unwrap().msg_id, picked);
    assert_eq!(view.new_since_pause(&d), 40);
    render(&d, &mut view, 120, 40);
    assert_eq!(view.selected_message(&d).unwrap().msg_id, picked);
    // Once the selected message itself falls off, the selection holds the oldest one left.
    for i in 70..110 {
        say(&mut d, i, "u", &format!("msg {i}"), t(i as i64));
    }
    assert_eq!(view.selected_message(&d).unwrap().index, d.chat().first_index());
    render(&d, &mut view, 120, 40);
}

#[test]
fn paused_count_and_bottom_resumes_following() {
    let mut d = busy_desk();
    let mut view = ViewState::new();
    assert_eq!(view.new_since_pause(&d), 0);
    act(&mut view, &d, KeyAction::PageUp);
    assert!(!view.following());
    for i in 0..7 {
        say(&mut d, 600 + i, "x", "y", t(120));
    }
    assert_eq!(view.new_since_pause(&d), 7);
    act(&mut view, &d, KeyAction::Bottom);
    assert!(view.following());
    assert_eq!(view.new_since_pause(&d), 0);
    assert_eq!(view.chat_selected(&d), Some(d.chat().next_index() - 1));
}

#[test]
fn down_past_the_newest_resumes_following() {
    let d = busy_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::Down);
    assert!(!view.following(), "on the newest message, still paused");
    act(&mut view, &d, KeyAction::Down);
    assert!(view.following());
}

#[test]
fn a_reply_key_answers_the_selected_message() {
    let d = busy_desk();
    let mut view = ViewState::new();
    // Select maria's question (m17), two above the newest non-system line.
    let target = index_of(&d, "m17");
    while view.chat_selected(&d) != Some(target) {
        act(&mut view, &d, KeyAction::Up);
    }
    assert_eq!(
        view.on_unbound_key(&key('3'), &d),
        Effect::Desk(Action::Answer { reply: "Sizing".into(), to: Some("m17".into()) })
    );
    // Not a reply key, or with ctrl: nothing.
    assert_eq!(view.on_unbound_key(&key('x'), &d), Effect::None);
    let ctrl = KeyEvent::new(KeyCode::Char('3'), KeyModifiers::CONTROL);
    assert_eq!(view.on_unbound_key(&ctrl, &d), Effect::None);
    // A system line (the order below it) has no msg_id: the reply goes to everyone.
    act(&mut view, &d, KeyAction::Down);
    assert_eq!(view.selected_message(&d).unwrap().kind, crate::desk::chat::MsgKind::System);
    assert_eq!(
        view.on_unbound_key(&key('1'), &d),
        Effect::Desk(Action::Answer { reply: "Shipping: UK only".into(), to: None })
    );
    // The Replies pane's Activate sends its selected reply to the same message.
    view.focus = Pane::Replies;
    act(&mut view, &d, KeyAction::Down);
    act(&mut view, &d, KeyAction::Down);
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::Down);
    assert_eq!(
        act(&mut view, &d, KeyAction::Activate),
        Effect::Desk(Action::Answer { reply: "Price and stock".into(), to: None })
    );
}

#[test]
fn start_sale_uses_the_selection_or_the_next_planned_sale() {
    let mut d = desk();
    let mut view = ViewState::new();
    assert_eq!(
        act(&mut view, &d, KeyAction::StartSale),
        Effect::Desk(Action::StartSale { id: "almond-rush".into() })
    );
    view.focus = Pane::Sale;
    act(&mut view, &d, KeyAction::Bottom);
    assert_eq!(
        act(&mut view, &d, KeyAction::StartSale),
        Effect::Desk(Action::StartSale { id: "glue-bundle".into() })
    );
    assert_eq!(
        act(&mut view, &d, KeyAction::Activate),
        Effect::Desk(Action::StartSale { id: "glue-bundle".into() })
    );
    // Once the selected sale ran, the next planned one starts.
    start(&mut d, "glue-bundle", t(0));
    d.apply(Input::Operator(Action::EndSale { id: None }), t(5));
    assert_eq!(
        act(&mut view, &d, KeyAction::StartSale),
        Effect::Desk(Action::StartSale { id: "almond-rush".into() })
    );
    assert_eq!(act(&mut view, &d, KeyAction::Activate), Effect::None);
    assert_eq!(
        act(&mut view, &d, KeyAction::ExtendSale),
        Effect::Desk(Action::ExtendSale { id: None, seconds: 30 })
    );
    assert_eq!(act(&mut view, &d, KeyAction::EndSale), Effect::Desk(Action::EndSale { id: None }));
}

#[test]
fn sale_keys_act_on_the_selected_running_sale_and_pause_toggles() {
    let mut d = desk();
    let mut view = ViewState::new();
    assert_eq!(act(&mut view, &d, KeyAction::PauseSale), Effect::Desk(Action::PauseSale { id: None }));
    start(&mut d, "almond-rush", t(0));
    start(&mut d, "coffin-flash", t(1));
    // Nothing selected: pause the live one started last.
    assert_eq!(
        act(&mut view, &d, KeyAction::PauseSale),
        Effect::Desk(Action::PauseSale { id: Some("coffin-flash".into()) })
    );
    // The selected running sale is the one the keys act on.
    view.focus = Pane::Sale;
    act(&mut view, &d, KeyAction::Top);
    let almond = Some("almond-rush".to_string());
    assert_eq!(
        act(&mut view, &d, KeyAction::ExtendSale),
        Effect::Desk(Action::ExtendSale { id: almond.clone(), seconds: 30 })
    );
    assert_eq!(act(&mut view, &d, KeyAction::EndSale), Effect::Desk(Action::EndSale { id: almond.clone() }));
    assert_eq!(
        act(&mut view, &d, KeyAction::PauseSale),
        Effect::Desk(Action::PauseSale { id: almond.clone() })
    );
    d.apply(Input::Operator(Action::PauseSale { id: almond.clone() }), t(2));
    assert_eq!(act(&mut view, &d, KeyAction::PauseSale), Effect::Desk(Action::ResumeSale { id: almond }));
    // A selected sale that is not running leaves the choice to the desk.
    act(&mut view, &d, KeyAction::Bottom);
    assert_eq!(act(&mut view, &d, KeyAction::EndSale), Effect::Desk(Action::EndSale { id: None }));
    assert_eq!(
        act(&mut view, &d, KeyAction::PauseSale),
        Effect::Desk(Action::PauseSale { id: Some("coffin-flash".into()) })
    );
}

#[test]
fn focusing_a_list_selects_its_first_row_so_enter_acts() {
    let d = desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::FocusSale);
    assert_eq!(
        act(&mut view, &d, KeyAction::Activate),
        Effect::Desk(Action::StartSale { id: "almond-rush".into() })
    );
    act(&mut view, &d, KeyAction::FocusStock);
    assert!(matches!(
        act(&mut view, &d, KeyAction::Activate),
        Effect::Desk(Action::PinProduct { sku: Some(_) })
    ));
}

#[test]
fn pin_uses_the_stock_selection_or_the_current_product() {
    let mut d = desk();
    let mut view = ViewState::new();
    assert_eq!(act(&mut view, &d, KeyAction::PinProduct), Effect::None);
    start(&mut d, "coffin-flash", t(0));
    assert_eq!(
        act(&mut view, &d, KeyAction::PinProduct),
        Effect::Desk(Action::PinProduct { sku: Some("COFFIN-NUDE".into()) })
    );
    view.focus = Pane::Stock;
    act(&mut view, &d, KeyAction::Down);
    act(&mut view, &d, KeyAction::Down);
    assert_eq!(
        act(&mut view, &d, KeyAction::PinProduct),
        Effect::Desk(Action::PinProduct { sku: Some("COFFIN-NUDE".into()) })
    );
    act(&mut view, &d, KeyAction::Top);
    assert_eq!(
        act(&mut view, &d, KeyAction::Activate),
        Effect::Desk(Action::PinProduct { sku: Some("ALMOND-PINK".into()) })
    );
    assert_eq!(act(&mut view, &d, KeyAction::UnpinProduct), Effect::Desk(Action::PinProduct { sku: None }));
}

#[test]
fn focus_cycles_through_the_panes() {
    let d = desk();
    let mut view = ViewState::new();
    let mut seen = vec![view.focus];
    for _ in 0..5 {
        act(&mut view, &d, KeyAction::FocusNext);
        seen.push(view.focus);
    }
    assert_eq!(seen, [Pane::Chat, Pane::Sale, Pane::Stock, Pane::Replies, Pane::Claims, Pane::Chat]);
    act(&mut view, &d, KeyAction::FocusPrev);
    assert_eq!(view.focus, Pane::Claims);
    act(&mut view, &d, KeyAction::FocusStock);
    assert_eq!(view.focus, Pane::Stock);
    act(&mut view, &d, KeyAction::FocusClaims);
    assert_eq!(view.focus, Pane::Claims);
    assert_eq!(act(&mut view, &d, KeyAction::Quit), Effect::Quit);
    // A shop that does not read claims has no Claims pane to focus.
    let mut shop = shop();
    shop.claims.enabled = false;
    let d = Desk::new(DeskSetup { shop, ..setup() });
    let mut view = ViewState { focus: Pane::Replies, ..ViewState::new() };
    act(&mut view, &d, KeyAction::FocusNext);
    assert_eq!(view.focus, Pane::Chat);
    act(&mut view, &d, KeyAction::FocusPrev);
    assert_eq!(view.focus, Pane::Replies);
    act(&mut view, &d, KeyAction::FocusClaims);
    assert_eq!(view.focus, Pane::Replies);
    let term = render(&d, &mut view, 80, 24);
    assert!(!screen(&term).contains("Claims"));
}

#[test]
fn help_keys_scroll_close_and_swallow_desk_actions() {
    let d = busy_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Help);
    render(&d, &mut view, 80, 24);
    assert_eq!(act(&mut view, &d, KeyAction::StartSale), Effect::None);
    assert_eq!(view.on_unbound_key(&key('1'), &d), Effect::None);
    act(&mut view, &d, KeyAction::PageDown);
    assert!(view.help_scroll() > 0);
    act(&mut view, &d, KeyAction::Top);
    assert_eq!(view.help_scroll(), 0);
    assert_eq!(act(&mut view, &d, KeyAction::Quit), Effect::Quit);
    act(&mut view, &d, KeyAction::Help);
    assert!(!view.help_open());
}

/// Every cell of the chat pane's right border is still a border after drawing `text`.
fn assert_chat_border_intact(term: &Terminal<TestBackend>, view: &ViewState) {
    let buf = term.backend().buffer();
    let chat = view.hits.panes[0].1;
    let x = chat.right() - 1;
    for y in chat.y + 1..chat.bottom() - 1 {
        assert_eq!(buf[(x, y)].symbol(), "│", "row {y} of the chat border was overwritten");
    }
}

#[test]
fn emoji_and_cjk_wrap_without_overflowing_the_pane() {
    let mut d = desk();
    say(&mut d, 1, "漢字の名前", &"💅漢字🇵🇭👩‍👩‍👧".repeat(30), t(0));
    say(&mut d, 2, "x", &"字".repeat(200), t(1));
    say(&mut d, 3, "y", &format!("a{}", "💅".repeat(100)), t(2));
    for (w, h) in [(80, 24), (81, 24), (120, 40), (133, 41)] {
        let mut view = ViewState::new();
        let term = render(&d, &mut view, w, h);
        assert_chat_border_intact(&term, &view);
        // No cell in the chat pane holds a cluster wider than what is left of its row.
        let buf = term.backend().buffer();
        let inner = view.hits.chat_rows_area;
        for y in inner.y..inner.bottom() {
            for x in inner.x..inner.right() {
                let w = text::width(buf[(x, y)].symbol()) as u16;
                assert!(x + w.max(1) <= inner.right(), "cell ({x},{y}) runs past the pane");
            }
        }
    }
}

#[test]
fn output_is_free_of_escapes_and_bidi_controls() {
    let mut d = desk();
    say(
        &mut d,
        1,
        "evil\x1b]0;pwned\x07",
        "\x1b[31mred\x1b[0m \u{202e}reversed\u{202c} \u{9b}31m bell\x07",
        t(0),
    );
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    for cell in term.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "control character in {:?}",
            cell.symbol()
        );
    }
    assert!(screen(&term).contains("red"));
}

#[test]
fn the_mouse_focuses_selects_and_scrolls() {
    let d = busy_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 120, 40);
    let click = |x: u16, y: u16| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    // Click a reply row: focus and selection.
    let rows = view.hits.replies_rows;
    view.on_mouse(&click(rows.x + 3, rows.y + 2), &d);
    assert_eq!((view.focus, view.replies.selected), (Pane::Replies, Some(2)));
    // Click the first chat row: that message is selected and the chat pauses.
    let chat_rows = view.hits.chat_rows_area;
    let first = view.hits.chat_rows[0].unwrap();
    view.on_mouse(&click(chat_rows.x + 5, chat_rows.y), &d);
    assert_eq!(view.focus, Pane::Chat);
    assert!(!view.following());
    assert_eq!(view.chat_selected(&d), Some(first));
    // The wheel over the stock pane moves its selection without taking focus.
    let stock = view.hits.panes[2].1;
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: stock.x + 2,
        row: stock.y + 2,
        modifiers: KeyModifiers::NONE,
    };
    view.on_mouse(&wheel, &d);
    assert_eq!((view.focus, view.stock.selected), (Pane::Chat, Some(0)));
    view.on_mouse(&wheel, &d);
    assert_eq!(view.stock.selected, Some(3));
    // Clicking the "new" line follows again.
    render(&d, &mut view, 120, 40);
    let line = view.hits.chat_new_line;
    view.on_mouse(&click(line.x + 2, line.y), &d);
    assert!(view.following());
}

#[test]
fn a_frame_with_100k_messages_costs_only_what_is_visible() {
    let mut d = desk_with(100_000, false);
    for i in 0..100_000u64 {
        let text = format!("message {i} with a few words and an emoji 💅 to wrap around the pane");
        say(&mut d, i, "viewer", &text, t(i as i64 / 1000));
    }
    let (theme, keymap) = (Theme::default(), keymap());
    let area = Rect::new(0, 0, 200, 50);
    let mut buf = Buffer::empty(area);
    let mut view = ViewState::new();
    let runs = 50;
    let started = std::time::Instant::now();
    for n in 0..runs {
        if n == runs / 2 {
            // Half the frames scrolled back into the middle of the history.
            for _ in 0..40 {
                view.on_action(KeyAction::PageUp, &d);
            }
        }
        buf.reset();
        draw_buffer(&mut buf, area, &d, &mut view, &theme, &keymap);
    }
    let per_frame = started.elapsed() / runs;
    // The budget is 2 ms in release builds; debug builds get a wide margin.
    let budget = if cfg!(debug_assertions) { 100 } else { 2 };
    assert!(per_frame.as_millis() < budget, "one frame took {per_frame:?}");
}

// ---------------------------------------------------------------- claims and stock adjusts

fn claim_of(d: &Desk, name: &str) -> u64 {
    d.claims().open().find(|c| c.user_name == name).unwrap_or_else(|| panic!("no open claim of {name}")).id
}

/// Ten minutes into claims: holds with time left (one nearly out), a waitlist, and claims
/// confirmed, rejected and expired.
fn claims_desk() -> Desk {
    let mut d = busy_desk();
    feed(&mut d, 400, Event::Stock { sku: "ALMOND-PINK".into(), available: 3 }, t(100));
    d.apply(Input::Operator(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(100));
    say(&mut d, 401, "zoe", "sold STILETTO-RED", t(100));
    say(&mut d, 402, "lee", "sold 1 coffin-nude", t(150));
    say(&mut d, 403, "maria", "SOLD 2 almond-pink!!", t(200));
    say(&mut d, 404, "Kat 🌸", "MINE!!", t(201));
    say(&mut d, 405, "jo", "buy ALMOND-PINK x2", t(202));
    say(&mut d, 406, "kenji", "mine 💅", t(203));
    say(&mut d, 407, "dee", "mine", t(204));
    say(&mut d, 408, "ana", "sold oval-glitter", t(205));
    d.apply(Input::Operator(Action::ConfirmClaim { id: claim_of(&d, "ana") }), t(210));
    d.apply(Input::Operator(Action::RejectClaim { id: claim_of(&d, "kenji") }), t(211));
    d.apply(Input::Tick, t(710));
    d
}

#[test]
fn snapshot_claims_held_waiting_and_done() {
    let d = claims_desk();
    let mut view = ViewState { focus: Pane::Claims, ..ViewState::new() };
    act(&mut view, &d, KeyAction::Down);
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for text in [
        "0:40",
        "1:30",
        "2× ALMOND-PINK",
        "@Kat 🌸",
        "#1",
        "#2",
        "@kenji  rejected",
        "@zoe  expired",
        "3 held · 2 waiting",
    ] {
        assert!(s.contains(text), "{text} missing:\n{s}");
    }
    // The nearly-out hold is urgent.
    let buf = term.backend().buffer();
    let rows = view.hits.claims_rows;
    let urgent = (rows.y..rows.bottom())
        .flat_map(|y| (rows.x..rows.right()).map(move |x| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == "4" && buf[(x + 1, y)].symbol() == "0")
        .expect("0:40 drawn");
    assert_eq!(buf[urgent].fg, Theme::default().danger.fg.unwrap());
    insta::assert_snapshot!("claims_120x40", term.backend());
    insta::assert_snapshot!("claims_80x24", render(&d, &mut view, 80, 24).backend());
    // The oldest finished claim is at the bottom of the list.
    act(&mut view, &d, KeyAction::Bottom);
    assert!(screen(&render(&d, &mut view, 120, 40)).contains("@ana  confirmed"));
}

/// First-paid: two claims on the last almond pink, the second buyer paid first; a claim on
/// coffin nude still unpaid.
fn first_paid_desk() -> Desk {
    let mut shop = shop();
    shop.claims.policy = crate::config::model::ClaimPolicy::FirstPaid;
    let mut d = welcomed(shop);
    feed(&mut d, 3, Event::Stock { sku: "ALMOND-PINK".into(), available: 1 }, t(100));
    say(&mut d, 4, "ann", "sold almond-pink", t(100));
    say(&mut d, 5, "bea", "sold almond-pink", t(110));
    say(&mut d, 6, "cat", "sold 1 coffin-nude", t(120));
    let order = Event::Order {
        order_id: "o1".into(),
        user: user("bea", Some("PH")),
        sku: "ALMOND-PINK".into(),
        qty: 1,
        unit_price: "8.99".parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Paid,
    };
    feed(&mut d, 7, order, t(130));
    d
}

#[test]
fn snapshot_claims_unpaid_and_waiting_under_first_paid() {
    let d = first_paid_desk();
    let mut view = ViewState { focus: Pane::Claims, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    for text in
        ["○", "1× COFFIN-NUDE", "@cat", "9:50", "◌", "@ann", "#1", "@bea  confirmed", "1 unpaid · 1 waiting"]
    {
        assert!(s.contains(text), "{text} missing:\n{s}");
    }
    insta::assert_snapshot!("claims_first_paid_120x40", term.backend());
}

#[test]
fn confirm_and_reject_act_on_the_selected_claim_and_move_down_the_list() {
    let d = claims_desk();
    let mut view = ViewState::new();
    // Nothing selected: the first held claim, from any pane.
    let lee = claim_of(&d, "lee");
    assert_eq!(view.claim_selected(&d), Some(lee));
    assert_eq!(act(&mut view, &d, KeyAction::ConfirmClaim), Effect::Desk(Action::ConfirmClaim { id: lee }));
    assert_eq!(view.claim_selected(&d), Some(claim_of(&d, "maria")), "the next one is selected");
    // Down in the Claims pane walks the rows; the selection is the claim, not the row.
    view.focus = Pane::Claims;
    act(&mut view, &d, KeyAction::Down);
    assert_eq!(view.claim_selected(&d), Some(claim_of(&d, "Kat 🌸")));
    assert_eq!(
        act(&mut view, &d, KeyAction::RejectClaim),
        Effect::Desk(Action::RejectClaim { id: claim_of(&d, "Kat 🌸") })
    );
    // Enter never confirms.
    assert_eq!(act(&mut view, &d, KeyAction::Activate), Effect::None);
    // A click on a row selects its claim.
    render(&d, &mut view, 120, 40);
    let rows = view.hits.claims_rows;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: rows.x + 3,
        row: rows.y + 3,
        modifiers: KeyModifiers::NONE,
    };
    view.on_mouse(&click, &d);
    assert_eq!(view.claim_selected(&d), Some(view.hits.claim_ids[3]));
    // With no open claim, nothing to act on.
    let empty = desk();
    let mut view = ViewState::new();
    assert_eq!(act(&mut view, &empty, KeyAction::ConfirmClaim), Effect::None);
}

fn typed(view: &mut ViewState, d: &Desk, keys: &[KeyEvent]) -> Vec<Effect> {
    keys.iter().map(|k| view.on_key(k, &keymap(), d)).collect()
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn text_keys(s: &str) -> Vec<KeyEvent> {
    s.chars().map(key).collect()
}

#[test]
fn the_adjust_popup_takes_typing_and_applies_with_a_reason() {
    let d = stock_desk();
    let mut view = ViewState { focus: Pane::Stock, ..ViewState::new() };
    for _ in 0..3 {
        act(&mut view, &d, KeyAction::Down);
    }
    assert_eq!(view.on_key(&key('a'), &keymap(), &d), Effect::None);
    assert_eq!(view.adjust().unwrap().sku, "STILETTO-RED");
    // Keys that would quit, send a reply or confirm a claim are just typing here.
    let effects = typed(&mut view, &d, &text_keys("q1y+3"));
    assert!(effects.iter().all(|e| *e == Effect::None), "{effects:?}");
    let form = view.adjust().unwrap();
    assert_eq!(form.change, "q1y+3");
    for _ in 0..5 {
        view.on_key(&code(KeyCode::Backspace), &keymap(), &d);
    }
    typed(&mut view, &d, &text_keys("+3"));
    assert_eq!(typed(&mut view, &d, &[code(KeyCode::Enter)]), [Effect::None]);
    assert_eq!(view.adjust().unwrap().field, AdjustField::Reason);
    // No reason: not applied, and the popup says why.
    assert_eq!(typed(&mut view, &d, &[code(KeyCode::Enter)]), [Effect::None]);
    assert!(view.adjust().unwrap().error.as_deref().unwrap().starts_with("say why"));
    typed(&mut view, &d, &text_keys("found a box"));
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    for text in [
        "Adjust stock · STILETTO-RED",
        "on hand 3   held 0   available 3",
        "→ on hand 6, available 6",
        "order o300",
    ] {
        assert!(s.contains(text), "{text} missing:\n{s}");
    }
    insta::assert_snapshot!("adjust_80x24", term.backend());
    insta::assert_snapshot!("adjust_120x40", render(&d, &mut view, 120, 40).backend());
    assert_eq!(
        typed(&mut view, &d, &[code(KeyCode::Enter)]),
        [Effect::Desk(Action::AdjustStock {
            sku: "STILETTO-RED".into(),
            change: crate::desk::catalog::Adjust::Add(3),
            reason: "found a box".into()
        })]
    );
    assert!(view.adjust().is_none());
}

#[test]
fn the_adjust_popup_refuses_a_bad_change_and_esc_cancels() {
    let d = stock_desk();
    let mut view = ViewState::new();
    // No stock selection: the product on screen (the running sale's).
    view.on_key(&key('a'), &keymap(), &d);
    assert_eq!(view.adjust().unwrap().sku, "ALMOND-PINK");
    typed(&mut view, &d, &text_keys("12"));
    typed(&mut view, &d, &[code(KeyCode::Enter)]);
    let form = view.adjust().unwrap();
    assert_eq!(form.field, AdjustField::Change);
    assert!(form.error.as_deref().unwrap().contains("start with +"), "{form:?}");
    assert!(screen(&render(&d, &mut view, 80, 24)).contains("! start with +"));
    // Tab moves to the reason; ctrl-u clears a field; the mouse does nothing.
    typed(&mut view, &d, &[code(KeyCode::Tab)]);
    typed(&mut view, &d, &text_keys("oops"));
    view.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL), &keymap(), &d);
    assert_eq!(view.adjust().unwrap().reason, "");
    let wheel =
        MouseEvent { kind: MouseEventKind::ScrollDown, column: 1, row: 1, modifiers: KeyModifiers::NONE };
    view.on_mouse(&wheel, &d);
    assert_eq!(typed(&mut view, &d, &[code(KeyCode::Esc)]), [Effect::None]);
    assert!(view.adjust().is_none());
    // Closed, keys are keys again.
    assert_eq!(view.on_key(&key('q'), &keymap(), &d), Effect::Quit);
}

// ---------------------------------------------------------------- chat views and triage

/// The busy stream, then comments of every tag: buyers, a complaint, a mention, spam.
fn triage_desk() -> Desk {
    let mut d = busy_desk();
    let lines = [
        ("bea", "how much is the almond pink?"),
        ("cruz", "magkano po? pa-ship sa Cebu"),
        ("dani", "¿cuánto cuesta el envío a México?"),
        ("eve", "the checkout is not loading, still waiting"),
        ("fay", "@nailnook you are the best"),
        ("gus", "FREE FOLLOWERS www.spam.example"),
        ("hal", "sold 2 almond pink"),
        ("ivy", "so pretty"),
        ("ivy", "so pretty"),
    ];
    for (i, (name, text)) in lines.iter().enumerate() {
        say(&mut d, 200 + i as u64, name, text, t(100 + i as i64 * 5));
    }
    d.apply(Input::Tick, t(150));
    d
}

#[test]
fn snapshot_chat_in_each_view() {
    let d = triage_desk();
    for (key_action, name) in [
        (KeyAction::ViewAll, "all"),
        (KeyAction::ViewQuestions, "questions"),
        (KeyAction::ViewBuyers, "buyers"),
        (KeyAction::ViewUnanswered, "unanswered"),
        (KeyAction::ViewMentions, "mentions"),
    ] {
        let mut view = ViewState::new();
        act(&mut view, &d, key_action);
        insta::assert_snapshot!(format!("chat_view_{name}_120x40"), screen(&render(&d, &mut view, 120, 40)));
        insta::assert_snapshot!(format!("chat_view_{name}_80x24"), screen(&render(&d, &mut view, 80, 24)));
    }
}

#[test]
fn the_cycle_key_goes_through_every_view_and_back() {
    let d = triage_desk();
    let mut view = ViewState::new();
    let mut seen = vec![view.chat_filter().label()];
    for _ in 0..5 {
        view.on_key(&key('v'), &keymap(), &d);
        seen.push(view.chat_filter().label());
    }
    assert_eq!(seen, ["All", "Questions", "Buyers", "Unanswered", "Mentions", "All"]);
}

#[test]
fn in_a_view_the_selection_moves_only_through_what_it_shows() {
    let d = triage_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::ViewBuyers);
    let shown = |view: &ViewState| view.selected_message(&d).unwrap().text.clone();
    // What the view shows, oldest first, as the model tagged them; hal's claim is the newest.
    let buyers: Vec<String> = d
        .chat()
        .messages()
        .iter()
        .filter(|m| crate::ui::view::ChatFilter::Buyers.shows(m))
        .map(|m| m.text.clone())
        .collect();
    assert!(buyers.len() >= 3 && buyers.last().unwrap() == "sold 2 almond pink", "{buyers:?}");
    // Following: the newest buyer; up steps back one buyer at a time, over all the rest.
    for want in buyers.iter().rev() {
        assert_eq!(&shown(&view), want);
        act(&mut view, &d, KeyAction::Up);
    }
    act(&mut view, &d, KeyAction::Top);
    assert!(view.selected_message(&d).unwrap().tags.has(crate::desk::classify::Tag::Buyer));
    // Switching views keeps a shown selection: the nearest one the new view shows.
    act(&mut view, &d, KeyAction::ViewMentions);
    assert_eq!(shown(&view), "@nailnook you are the best");
    act(&mut view, &d, KeyAction::Down);
    assert!(view.following(), "down past the newest mention follows again");
}

#[test]
fn paused_in_a_view_new_counts_only_what_the_view_shows() {
    let mut d = triage_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::ViewQuestions);
    render(&d, &mut view, 120, 40);
    act(&mut view, &d, KeyAction::Up);
    assert!(!view.following());
    say(&mut d, 300, "jo", "nice", t(160));
    say(&mut d, 301, "jo", "can you show the red ones?", t(161));
    say(&mut d, 302, "kim", "where do you ship from?", t(162));
    assert_eq!(view.new_since_pause(&d), 2);
    let text = screen(&render(&d, &mut view, 120, 40));
    assert!(text.contains("2 new"), "{text}");
    act(&mut view, &d, KeyAction::Bottom);
    assert!(view.following());
}

#[test]
fn mark_handled_acts_on_the_selection_and_the_unanswered_view_moves_on() {
    let mut d = triage_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::ViewUnanswered);
    let before = d.chat().unanswered_count();
    let target = view.selected_message(&d).unwrap().msg_id.clone();
    let effect = view.on_key(&key('x'), &keymap(), &d);
    assert_eq!(effect, Effect::Desk(Action::MarkHandled { msg_id: target.clone() }));
    let Effect::Desk(action) = effect else { unreachable!() };
    d.apply(Input::Operator(action), t(170));
    assert_eq!(d.chat().unanswered_count(), before - 1);
    let next = view.selected_message(&d).unwrap();
    assert_ne!(next.msg_id, target);
    assert!(next.unanswered());
    let bar = screen(&render(&d, &mut view, 120, 40));
    assert!(bar.contains(&format!("? {} unanswered (oldest", before - 1)), "{bar}");
}

#[test]
fn spam_is_struck_through_and_left_out_of_the_views() {
    let d = triage_desk();
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    let buf = term.backend().buffer();
    let row = (0..40).find(|&y| {
        let line: String = (0..70).map(|x| buf[(x, y)].symbol().to_owned()).collect();
        line.contains("FREE FOLLOWERS")
    });
    let y = row.expect("the spam line is on screen");
    let x = (0..70).find(|&x| buf[(x, y)].symbol() == "F").unwrap();
    assert!(buf[(x, y)].modifier.contains(ratatui::style::Modifier::CROSSED_OUT));
    // It shows in All and in none of the views of what needs the operator.
    let spam = d.chat().messages().iter().find(|m| m.text.contains("FREE FOLLOWERS")).unwrap();
    assert!(spam.tags.has(crate::desk::classify::Tag::Spam));
    for view in &crate::ui::view::ChatFilter::ALL[1..] {
        assert!(!view.shows(spam), "{} shows the spam", view.label());
    }
}

// ---------------------------------------------------------------- knowledge base

/// A desk on the built-in demo configuration (it ships to the UK only), a few comments in.
fn demo_knowledge_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::config::Paths { config_dir: dir.path().into(), state_dir: dir.path().join("state") };
    let config = crate::config::load(&paths, &crate::config::EnvInfo::default()).unwrap();
    let reply_uses = [("sizing".to_owned(), 12), ("price".to_owned(), 30)].into();
    let mut d = Desk::new(DeskSetup { shop: config.shop, reply_uses, ..setup() });
    welcome(&mut d);
    let lines = [
        ("jo", Some("GB"), "love the pink ones"),
        ("ana", Some("GB"), "what size should I get? my nails are tiny"),
        ("luz", None, "¿cuánto cuesta el french? 💅"),
        ("maria", Some("PH"), "do you ship to Manila?"),
    ];
    for (i, (name, region, text)) in lines.into_iter().enumerate() {
        let seq = 10 + i as u64;
        let event = Event::Chat {
            msg_id: format!("m{seq}"),
            user: user(name, region),
            text: text.into(),
            reply_to: None,
        };
        feed(&mut d, seq, event, t(10 + i as i64 * 5));
    }
    d.apply(Input::Tick, t(40));
    d
}

#[test]
fn snapshot_a_cant_ship_question_with_its_suggested_reply() {
    let d = demo_knowledge_desk();
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("?✈✗ [PH] maria: do you ship to Manila?"), "{s}");
    assert!(s.contains("▸ t Shipping: where we ship · Hi @maria! We only ship to the UK"), "{s}");
    insta::assert_snapshot!("chat_cant_ship_suggestion_120x40", render(&d, &mut view, 120, 40).backend());
    insta::assert_snapshot!("chat_cant_ship_suggestion_80x24", render(&d, &mut view, 80, 24).backend());
    // `t` sends that reply to her comment.
    assert_eq!(
        act(&mut view, &d, KeyAction::SendSuggestion),
        Effect::Desk(Action::Answer { reply: "cant-ship".into(), to: Some("m13".into()) })
    );
    // One up, the Spanish question: the price reply, in Spanish.
    act(&mut view, &d, KeyAction::Up);
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("▸ t Price and stock · @luz Press-on nails, short square, classic Fre"), "{s}");
    let sent = d.reply_text(d.replies().by_id("price").unwrap(), Some("m12"), d.now()).unwrap();
    assert_eq!(
        sent,
        "@luz Press-on nails, short square, classic French cuesta £7.99 ahora mismo, ¡quedan 40!"
    );
}

#[test]
fn snapshot_the_reply_picker() {
    let d = demo_knowledge_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::Up);
    act(&mut view, &d, KeyAction::PickReply);
    // Nothing typed: the replies used most first, for the selected comment.
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains("Reply to @ana"), "{s}");
    let price = s.find("Price and stock").unwrap();
    assert!(
        price < s.find("Sizing").unwrap() && s.find("Sizing").unwrap() < s.find("Postage").unwrap(),
        "{s}"
    );
    insta::assert_snapshot!("picker_120x40", term.backend());
    for c in "sizng".chars() {
        assert_eq!(view.on_key(&key(c), &keymap(), &d), Effect::None, "typing goes to the picker");
    }
    let term = render(&d, &mut view, 120, 40);
    insta::assert_snapshot!("picker_typed_80x24", render(&d, &mut view, 80, 24).backend());
    assert!(screen(&term).contains("▸3  Sizing"), "{}", screen(&term));
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        view.on_key(&enter, &keymap(), &d),
        Effect::Desk(Action::Answer { reply: "sizing".into(), to: Some("m11".into()) })
    );
    assert!(view.picker().is_none());
    // Esc closes without sending.
    act(&mut view, &d, KeyAction::PickReply);
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(view.on_key(&esc, &keymap(), &d), Effect::None);
    assert!(view.picker().is_none());
}

#[test]
fn the_mouse_and_resolved_keys_leave_the_panes_alone_while_the_picker_is_open() {
    let d = demo_knowledge_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 120, 40);
    act(&mut view, &d, KeyAction::PickReply);
    let picker = view.picker().cloned();
    assert!(picker.is_some());
    render(&d, &mut view, 120, 40);
    // A click on a reply row under the popup, and the wheel over the stock pane: neither
    // moves the focus or a selection behind the picker, whose enter answers the comment
    // chosen when it opened.
    let rows = view.hits.replies_rows;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: rows.x + 3,
        row: rows.y + 2,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(view.on_mouse(&click, &d), Effect::None);
    let stock = view.hits.panes[2].1;
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: stock.x + 2,
        row: stock.y + 2,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(view.on_mouse(&wheel, &d), Effect::None);
    assert_eq!((view.focus, view.replies.selected, view.stock.selected), (Pane::Chat, None, None));
    // A key already resolved to an action does not reach the desk behind the popup either.
    assert_eq!(act(&mut view, &d, KeyAction::StartSale), Effect::None);
    assert_eq!(view.picker().cloned(), picker, "the picker stays open as it was");
}

// ---------------------------------------------------------------- stats

/// Twelve minutes of a stream: viewers climbing, chat and orders picking up while the
/// almond-rush sale is live (minutes 5 to 7).
fn stats_desk() -> Desk {
    let mut d = desk();
    let stream = StreamInfo { id: "s1".into(), title: "Nails night".into(), ..Default::default() };
    feed(&mut d, 1, Event::Welcome { stream, resumed: false, epoch: None }, t(0));
    let mut seq = 10;
    for minute in 0..12i64 {
        let at = t(minute * 60);
        seq += 1;
        feed(&mut d, seq, Event::Viewers { count: 150 * (minute as u64 + 1) }, at);
        for n in 0..(minute % 5 + if (5..7).contains(&minute) { 8 } else { 1 }) {
            seq += 1;
            say(&mut d, seq, "ann", &format!("comment {seq}"), at + chrono::Duration::seconds(n));
        }
        if minute == 5 {
            start(&mut d, "almond-rush", at);
        }
        if (5..7).contains(&minute) {
            for n in 0..3 {
                seq += 1;
                order(&mut d, seq, "ALMOND-PINK", 1, "4.99", at + chrono::Duration::seconds(20 + n));
            }
        }
        d.apply(Input::Tick, at + chrono::Duration::seconds(59));
    }
    d
}

#[test]
fn snapshot_stats_pane_under_the_chat() {
    let d = stats_desk();
    let mut view = ViewState::new();
    assert_eq!(act(&mut view, &d, KeyAction::ToggleStats), Effect::None);
    assert!(view.stats_open);
    insta::assert_snapshot!("stats_120x40", render(&d, &mut view, 120, 40).backend());
    insta::assert_snapshot!("stats_80x24", render(&d, &mut view, 80, 24).backend());
    act(&mut view, &d, KeyAction::ToggleStats);
    assert!(!screen(&render(&d, &mut view, 120, 40)).contains("Stats"), "S hides it again");
}

#[test]
fn the_stats_pane_shows_the_minutes_up_to_now() {
    let d = stats_desk();
    let minutes = panes::stats::last_minutes(&d, d.now(), 20);
    assert_eq!(minutes.len(), 20);
    let kept = d.stats().minutes();
    // The last column is the minute the desk is in, even one with nothing in it yet.
    assert_eq!(minutes.last().unwrap().minute, d.now().timestamp().div_euclid(60));
    assert!(minutes.last().unwrap().minute >= kept.back().unwrap().minute);
    // Before the stream's first minute there is nothing; each kept minute is as counted.
    let first = kept.front().unwrap().minute;
    assert!(minutes.iter().filter(|m| m.minute < first).all(|m| m.viewers == 0 && m.chat == 0));
    let orders: u32 = minutes.iter().map(|m| m.orders).sum();
    assert_eq!(orders, 6);
    // Minutes after the last event carry the last viewer count with nothing else.
    let later = panes::stats::last_minutes(&d, d.now() + chrono::Duration::minutes(3), 5);
    assert_eq!(
        later.iter().map(|m| (m.viewers, m.chat, m.orders)).collect::<Vec<_>>()[2..],
        [(1800, 0, 0); 3]
    );
}

mod chat_views;
mod giveaway;
mod held;
mod learned;
mod outbound;
mod show;
mod variants;
mod viewers;

#[test]
fn a_short_stock_pane_scrolls_to_the_product_selling_out() {
    let mut d = busy_desk();
    let last = d.catalog().products().last().unwrap().sku.clone();
    let left = d.catalog().products().last().unwrap().on_hand;
    for n in 0..left.saturating_sub(3) {
        order(&mut d, 500 + u64::from(n), &last, 1, "5.49", t(100 + i64::from(n) * 2));
    }
    d.apply(Input::Tick, t(200));
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 100, 24));
    let row = s.lines().find(|l| l.contains(&format!(" {last} ")) && l.contains("out in"));
    assert!(row.is_some(), "the row of {last}, selling out, is in view:\n{s}");
}
