//! The desk's rules tried through `apply`, a file per room; the shop, the inputs and the
//! readings they share are here.

use super::chat::MsgKind;
use super::sales::EndReason;
use super::*;
use crate::config::model::{
    Catalog as CatalogFile, ClaimsConfig, ProductSpec, Replies as RepliesFile, ReplySpec, SaleSpec, SalesPlan,
};
use crate::protocol::ModAction;
use crate::protocol::{Gift, OrderStatus, SaleAction};

mod answers;
mod claims;
mod comments;
mod digest;
mod giveaways;
mod held;
mod knowledge;
mod learned;
mod link;
mod moderation;
mod orders;
mod peer_claims;
mod props;
mod sales;
mod show;
mod team;
mod variants;

fn shop() -> ShopConfig {
    let product = |sku: &str, name: &str, price: &str, stock: u32| ProductSpec {
        sku: sku.into(),
        name: name.into(),
        price: price.parse().unwrap(),
        stock,
        low_stock: 5,
        aliases: vec![],
        code: None,
        variants: vec![],
    };
    let reply = |key: &str, title: &str, text: &str, tag: &str| ReplySpec {
        key: Some(key.into()).filter(|k: &String| !k.is_empty()),
        title: title.into(),
        text: text.into(),
        tags: vec![tag.into()],
        ..ReplySpec::new(title, text)
    };
    let price = |p: &str| p.parse().unwrap();
    ShopConfig {
        catalog: CatalogFile {
            currency: "GBP".into(),
            products: vec![
                ProductSpec {
                    aliases: vec!["almond pink".into()],
                    ..product("ALMOND-PINK", "Almond blush", "8.99", 20)
                },
                product("COFFIN-NUDE", "Coffin nude", "9.99", 2),
            ],
        },
        sales: SalesPlan {
            sales: vec![
                SaleSpec {
                    per_customer: Some(2),
                    ..SaleSpec::new("almond-rush", "ALMOND-PINK", price("4.99"), 3, 120)
                },
                SaleSpec {
                    preheat: Some(15),
                    ..SaleSpec::new("coffin-flash", "COFFIN-NUDE", price("6.99"), 2, 60)
                },
                SaleSpec::new("almond-again", "ALMOND-PINK", price("5.99"), 3, 60),
            ],
        },
        giveaways: Default::default(),
        show: Default::default(),
        replies: RepliesFile {
            allowed_links: vec![],
            replies: vec![
                reply("1", "Shipping", "Hi @{user}! We only ship to the UK for now, sorry!", "shipping"),
                reply("2", "Flash", "FLASH SALE {product} {price}, {stock} left, {time_left}!", "sale-start"),
                reply("3", "Gone", "{product} SOLD OUT", "sold-out"),
                reply("4", "Soon", "SOON {product} at {price} in {time_left}", "sale-preheat"),
                reply("5", "Over", "{product} sale over, back to {price}", "sale-ended"),
                reply("", "Yours", "@{user} {product} is yours, {price}", "claim-confirmed"),
                reply("", "Sorry", "@{user} sorry, no {product} for you", "claim-rejected"),
                reply("", "In line", "@{user} you're in line for {product}", "claim-waitlisted"),
                reply("", "Your turn", "@{user} {product} is held for you now", "claim-promoted"),
            ],
        },
        claims: ClaimsConfig::default(),
        chat: crate::config::model::ChatConfig::default(),
        shipping: Default::default(),
        quiet: Default::default(),
    }
}

fn setup() -> DeskSetup {
    DeskSetup {
        shop: shop(),
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    }
}

fn desk() -> Desk {
    Desk::new(setup())
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn user(name: &str) -> User {
    User {
        id: format!("id-{name}"),
        name: name.into(),
        region: Some("PH".into()),
        badges: vec![],
        follower: false,
    }
}

fn frame(seq: u64, event: Event) -> Input {
    Input::Feed(Frame { v: 1, seq, ts: String::new(), event })
}

fn chat(seq: u64, name: &str, text: &str) -> Input {
    frame(seq, Event::Chat { msg_id: format!("m{seq}"), user: user(name), text: text.into(), reply_to: None })
}

fn order(seq: u64, id: &str, qty: u32, price: &str) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user("Bea"),
            sku: "ALMOND-PINK".into(),
            qty,
            unit_price: price.parse().unwrap(),
            currency: "GBP".into(),
            status: OrderStatus::Paid,
        },
    )
}

fn order_by(seq: u64, id: &str, name: &str, sku: &str, qty: u32, price: &str) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(name),
            sku: sku.into(),
            qty,
            unit_price: price.parse().unwrap(),
            currency: "GBP".into(),
            status: OrderStatus::Paid,
        },
    )
}

fn op(action: Action) -> Input {
    Input::Operator(action)
}

fn start_sale(id: &str) -> Input {
    op(Action::StartSale { id: id.into() })
}

/// A flash_sale command's action, sku, quantity and seconds.
type SaleCommand = (SaleAction, Option<String>, Option<u32>, Option<u32>);

/// The flash_sale commands in `out`.
fn sale_commands(out: &[Output]) -> Vec<SaleCommand> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::FlashSale { action, sku, quantity, seconds, .. }) => {
                Some((*action, sku.clone(), *quantity, *seconds))
            }
            _ => None,
        })
        .collect()
}

fn start_cmd(
    sku: &str,
    quantity: u32,
    seconds: u32,
) -> (SaleAction, Option<String>, Option<u32>, Option<u32>) {
    (SaleAction::Start, Some(sku.into()), Some(quantity), Some(seconds))
}

fn end_cmd(sku: &str) -> SaleCommand {
    (SaleAction::End, Some(sku.into()), None, None)
}

fn last_notice(d: &Desk) -> String {
    d.notices().last().map(|n| n.text.clone()).unwrap_or_default()
}

/// The chat messages in `out`, with the comment each answers.
fn sent_replies(out: &[Output]) -> Vec<(String, Option<String>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::SendChat { text, reply_to, .. }) => Some((text.clone(), reply_to.clone())),
            _ => None,
        })
        .collect()
}

fn sent_texts(out: &[Output]) -> Vec<String> {
    sent_replies(out).into_iter().map(|(text, _)| text).collect()
}

#[test]
fn the_same_inputs_give_the_same_state() {
    let inputs = [
        (chat(1, "a", "hi"), t(0)),
        (Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(1)),
        (order(2, "o1", 1, "4.99"), t(2)),
        (Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(3)),
        (Input::Tick, t(200)),
    ];
    let run = || {
        let mut d = desk();
        let outs: Vec<_> = inputs.iter().flat_map(|(i, now)| d.apply(i.clone(), *now)).collect();
        (d.summary(), outs)
    };
    assert_eq!(run(), run());
}

#[test]
fn countdown_clock_rounds_up() {
    assert_eq!(clock(chrono::Duration::milliseconds(119_001)), "2:00");
    assert_eq!(clock(chrono::Duration::seconds(65)), "1:05");
    assert_eq!(clock(chrono::Duration::zero()), "0:00");
}

// Claims' fixtures.

fn stock(seq: u64, available: u32) -> Input {
    frame(seq, Event::Stock { sku: "ALMOND-PINK".into(), available })
}

fn claimer_order(seq: u64, id: &str, name: &str, qty: u32, status: OrderStatus) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(name),
            sku: "ALMOND-PINK".into(),
            qty,
            unit_price: "8.99".parse().unwrap(),
            currency: "GBP".into(),
            status,
        },
    )
}

fn update(seq: u64, id: &str, status: OrderStatus) -> Input {
    frame(seq, Event::OrderUpdate { order_id: id.into(), status })
}

fn pink(d: &Desk) -> (u32, u32, u32) {
    let p = d.catalog().product("ALMOND-PINK").unwrap();
    (p.on_hand, p.reserved, p.available)
}

/// (user, qty, state) of every open claim, oldest first.
fn open_claims(d: &Desk) -> Vec<(String, u32, &'static str)> {
    d.claims().open().map(|c| (c.user_name.clone(), c.qty, c.state.label())).collect()
}

fn claim_id(d: &Desk, name: &str) -> u64 {
    d.claims().open().find(|c| c.user_name == name).unwrap().id
}

/// The replies sent to `name` in `out` (their texts start with `@name`).
fn replies_to(out: &[Output], name: &str) -> Vec<String> {
    sent_texts(out).into_iter().filter(|t| t.starts_with(&format!("@{name} "))).collect()
}

fn desk_with_limit(limit: u32) -> Desk {
    let mut shop = shop();
    shop.claims.max_per_customer = Some(limit);
    Desk::new(DeskSetup { shop, ..setup() })
}

fn tags_of(d: &Desk, msg_id: &str) -> Vec<&'static str> {
    d.chat().by_msg_id(msg_id).unwrap().tags.iter().map(crate::desk::classify::Tag::name).collect()
}
