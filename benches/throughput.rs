//! Decode + apply throughput: the budget is 250,000 chat events a second on one core.

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use livedesk::config::model::{Catalog, ProductSpec, Replies, SalesPlan, ShopConfig};
use livedesk::desk::{Desk, DeskSetup, Input};
use livedesk::protocol::decode_frame;

const NAMES: [&str; 8] = ["Maria", "Jo", "Priya", "Sam 💅", "Chloe", "Aiden", "Mei 美", "Olu"];
const TEXTS: [&str; 6] = [
    "how much is the pink set?",
    "do you ship to Manila?",
    "SOLD almond pink x2",
    "omg these are gorgeous 😍😍",
    "what sizes come in the kit?",
    "\u{1b}[31mfree followers\u{1b}[0m at spam.example",
];

fn chat_frame(seq: u64) -> String {
    let i = seq as usize;
    serde_json::json!({
        "type": "chat", "v": 1, "seq": seq, "ts": "2026-11-20T19:00:00.000Z",
        "msg_id": format!("m{seq:07}"), "reply_to": null, "text": TEXTS[i % TEXTS.len()],
        "user": {"id": format!("u{}", i % 5000), "name": NAMES[i % NAMES.len()], "region": "GB", "badges": [], "follower": i.is_multiple_of(3)},
    })
    .to_string()
}

fn desk() -> Desk {
    let shop = ShopConfig {
        catalog: Catalog {
            currency: "GBP".into(),
            products: vec![ProductSpec {
                sku: "ALMOND-PINK".into(),
                name: "Almond blush".into(),
                price: "8.99".parse().unwrap(),
                stock: 20,
                low_stock: 5,
            }],
        },
        sales: SalesPlan::default(),
        replies: Replies::default(),
    };
    Desk::new(DeskSetup {
        shop,
        scrollback: 100_000,
        ref_prefix: "b".into(),
        source: "bench".into(),
        demo: false,
    })
}

fn decode_and_apply(c: &mut Criterion) {
    let frames: Vec<String> = (1..=20_000).map(chat_frame).collect();
    let now: DateTime<Utc> = DateTime::from_timestamp(1_763_000_000, 0).unwrap();
    let mut group = c.benchmark_group("feed");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("decode_only", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(decode_frame(f).unwrap());
            }
        })
    });
    group.bench_function("decode_and_apply_chat", |b| {
        b.iter_batched(
            desk,
            |mut desk| {
                for f in &frames {
                    desk.apply(Input::Feed(decode_frame(f).unwrap()), now);
                }
                desk
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, decode_and_apply);
criterion_main!(benches);
