//! Decode + apply throughput: the budget is 250,000 chat events a second on one core,
//! measured in memory and as a headless replay of a million-line script file.

use std::hint::black_box;
use std::io::Write;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use livedesk::app::{Clock, Session};
use livedesk::config::model::{Catalog, ClaimsConfig, ProductSpec, Replies, SalesPlan, ShopConfig};
use livedesk::config::{self, EnvInfo, Paths};
use livedesk::desk::{Desk, DeskSetup, Input};
use livedesk::protocol::decode_frame;
use livedesk::replay;

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
                aliases: vec!["almond pink".into()],
                code: None,
                variants: vec![],
            }],
        },
        sales: SalesPlan::default(),
        giveaways: Default::default(),
        show: Default::default(),
        replies: Replies::default(),
        claims: ClaimsConfig::default(),
        chat: livedesk::config::model::ChatConfig::default(),
        shipping: Default::default(),
        quiet: Default::default(),
    };
    Desk::new(DeskSetup {
        shop,
        scrollback: 100_000,
        ref_prefix: "b".into(),
        source: "bench".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
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

/// A script of a million chat events, written once next to the build output and kept, so
/// the memory budget can be checked on the same file with the real binary.
fn million_line_script() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-1m-chat.jsonl");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return path;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for seq in 1..=1_000_000u64 {
        let i = seq as usize;
        let line = serde_json::json!({
            "at_ms": seq / 10,
            "event": {
                "type": "chat", "msg_id": format!("m{seq:07}"), "reply_to": null, "text": TEXTS[i % TEXTS.len()],
                "user": {"id": format!("u{}", i % 5000), "name": NAMES[i % NAMES.len()], "region": "GB", "badges": [], "follower": false},
            }
        });
        writeln!(out, "{line}").unwrap();
    }
    out.flush().unwrap();
    path
}

fn headless_replay(c: &mut Criterion) {
    let path = million_line_script();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") };
    let config = config::load(&paths, &EnvInfo::default()).unwrap();
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("headless_max_1m_chat_file", |b| {
        b.iter(|| {
            let mut session = Session::replay(&config, "bench".into(), Clock::wall());
            replay::run_file(&mut session, &path).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, decode_and_apply, headless_replay);
criterion_main!(benches);
