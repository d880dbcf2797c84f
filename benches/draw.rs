//! Frame draw time at 200×50 with 100,000 messages in scrollback: the budget is 2 ms.

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use livedesk::config::{self, EnvInfo, Paths};
use livedesk::desk::{Action, Desk, DeskSetup, Input};
use livedesk::protocol::{Event, Frame, User};
use livedesk::ui::view::ViewState;

fn draw(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") };
    let config = config::load(&paths, &EnvInfo { no_color: false, truecolor: true }).unwrap();
    let theme = livedesk::ui::theme::Theme::from_spec(&config.theme);
    let mut desk = Desk::new(DeskSetup {
        shop: config.shop.clone(),
        scrollback: 100_000,
        ref_prefix: "b".into(),
        source: "bench".into(),
        demo: true,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    });
    let now: DateTime<Utc> = DateTime::from_timestamp(1_763_000_000, 0).unwrap();
    for seq in 1..=100_000u64 {
        let user = User {
            id: format!("u{}", seq % 3000),
            name: ["Maria Santos", "Jo 💅", "Priya", "美美"][seq as usize % 4].into(),
            region: Some(["GB", "PH", "SG"][seq as usize % 3].into()),
            badges: vec![],
            follower: false,
        };
        let text = format!(
            "comment number {seq}: do you ship to Manila? these look gorgeous 😍 what sizes are in the kit?"
        );
        let event = Event::Chat { msg_id: format!("m{seq}"), user, text, reply_to: None };
        desk.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), now);
    }
    if let Some(first) = desk.sales().next_planned().map(|s| s.spec.id.clone()) {
        desk.apply(Input::Operator(Action::StartSale { id: first }), now);
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut view = ViewState::new();
    c.bench_function("draw_200x50_100k_scrollback", |b| {
        b.iter(|| {
            terminal.draw(|f| livedesk::ui::draw(f, &desk, &mut view, &theme, &config.keymap)).unwrap();
        })
    });
    // Scrolled back into history: the paused view must cost the same.
    for _ in 0..500 {
        view.on_action(livedesk::config::KeyAction::Up, &desk);
    }
    c.bench_function("draw_200x50_100k_scrollback_paused", |b| {
        b.iter(|| {
            terminal.draw(|f| livedesk::ui::draw(f, &desk, &mut view, &theme, &config.keymap)).unwrap();
        })
    });
    // A sparse search over the whole history: each message is read once when the search is
    // applied, then a frame reads only what is visible, paused or not.
    let mut view = ViewState::new();
    let mut keys: Vec<KeyEvent> = "/from:priya \"comment number 9\"".chars().map(char_key).collect();
    keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    for k in &keys {
        view.on_key(k, &config.keymap, &desk);
    }
    assert_eq!(view.chat_filter().label(), "Search");
    c.bench_function("draw_200x50_100k_scrollback_search", |b| {
        b.iter(|| {
            terminal.draw(|f| livedesk::ui::draw(f, &desk, &mut view, &theme, &config.keymap)).unwrap();
        })
    });
    for _ in 0..100 {
        view.on_action(livedesk::config::KeyAction::Up, &desk);
    }
    c.bench_function("draw_200x50_100k_scrollback_search_paused", |b| {
        b.iter(|| {
            terminal.draw(|f| livedesk::ui::draw(f, &desk, &mut view, &theme, &config.keymap)).unwrap();
        })
    });
}

fn char_key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

criterion_group!(benches, draw);
criterion_main!(benches);
