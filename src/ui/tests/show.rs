//! The run of show: its line on the operator's screen, the host's screen, and the keys that
//! move the show and start the sale or giveaway its cue names.

use super::*;
use crate::config::model::{CueSpec, GiveawaysPlan, ShowPlan};

fn cue() -> CueSpec {
    CueSpec::default()
}

/// The busy stream's shop with a run of show and a giveaway, a few questions waiting.
fn show_desk() -> Desk {
    let mut shop = shop();
    shop.giveaways = GiveawaysPlan { giveaways: vec![glue_kit(1)] };
    shop.show = ShowPlan {
        cues: vec![
            CueSpec {
                product: Some("ALMOND-PINK".into()),
                points: vec!["Our bestseller: blush pink".into(), "24 nails in 12 sizes".into()],
                minutes: Some(5),
                ..cue()
            },
            CueSpec { sale: Some("almond-rush".into()), ..cue() },
            CueSpec { giveaway: Some("glue-kit".into()), start: true, ..cue() },
            CueSpec {
                say: Some("Free UK shipping over £30 tonight".into()),
                at: Some("1:30".into()),
                ..cue()
            },
        ],
    };
    let mut d = welcomed(shop);
    ask(&mut d, 10, "ana", "how long do they last with glue?", t(5));
    ask(&mut d, 11, "ola", "is there a size guide?", t(6));
    say(&mut d, 12, "jo", "love the pink ones", t(7));
    d
}

fn next(d: &mut Desk, at: DateTime<Utc>) {
    d.apply(Input::Operator(Action::NextCue { seed: None }), at);
}

#[test]
fn snapshot_the_show_line_names_the_cue_on_now_the_next_and_its_keys() {
    let mut d = show_desk();
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains(" SHOW  not begun  │ first: Press-on nails, almond, blush pink"), "{s}");
    assert!(s.contains("> start the show  < back"), "{s}");
    next(&mut d, t(10));
    d.apply(Input::Tick, t(75));
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" SHOW 1/4  Press-on nails, almond, blush pink  1:05 of 5:00  │ next: Flash sale: Press-on nails, al  > next cue  < back"), "a long cue gives way to the keys: {s}");
    insta::assert_snapshot!("show_line_120x40", term.backend());
    next(&mut d, t(80));
    let term = render(&d, &mut view, 80, 24);
    let s = screen(&term);
    assert!(
        s.contains(" SHOW 2/4  Flash sale: P  s starts almond-rush  > next, starts glue-kit  < back "),
        "the key that starts the cue's sale by the sale's name, and the next-cue key saying it starts the giveaway: {s}"
    );
    insta::assert_snapshot!("show_line_sale_80x24", term.backend());
    let s = screen(&render(&d, &mut view, 200, 40));
    assert!(
        s.contains("│ next: Giveaway: a nail glue kit · starts when reached "),
        "a next cue that starts on arrival says so: {s}"
    );
    // The key named is the keymap's, not a fixed letter.
    let mut moved = keymap();
    for (chord, action) in &mut moved.normal {
        if *action == KeyAction::StartSale {
            *chord = KeyChord::parse("f6").unwrap();
        }
    }
    let mut term = Terminal::new(TestBackend::new(160, 40)).unwrap();
    term.draw(|f| draw(f, &d, &mut view, &Theme::default(), &moved)).unwrap();
    let s = screen(&term);
    assert!(s.contains("f6 starts almond-rush  > next, starts glue-kit  < back"), "{s}");
}

#[test]
fn snapshot_the_host_view_shows_the_product_its_points_the_next_cue_and_the_questions() {
    let mut d = show_desk();
    next(&mut d, t(10));
    d.apply(Input::Tick, t(70));
    let mut view = ViewState { host: true, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains("HOST · SHOW 1/4"), "{s}");
    assert!(s.contains("Now · 1:00 of 5:00"), "{s}");
    assert!(s.contains("£8.99  ·  20 left"), "{s}");
    assert!(s.contains("• 24 nails in 12 sizes"), "{s}");
    assert!(s.contains("Flash sale: Press-on nails, almond, blush pink at £4.99"), "the next cue: {s}");
    assert!(s.contains("Questions waiting · 2"), "{s}");
    assert!(s.contains("ana: how long do they last with glue?"), "{s}");
    assert!(s.contains("No sale running"), "{s}");
    // Wide enough: the name in block letters, broken between words, in place of its line.
    let name = crate::ui::bigtext::lines("PRESS-ON NAILS,", crate::ui::bigtext::Font::Small);
    assert!(s.contains(&format!("│{}", name[0])), "the name large: {s}");
    assert!(!s.contains("│Press-on nails, almond, blush pink "), "not twice: {s}");
    insta::assert_snapshot!("host_product_120x40", term.backend());
    // Too narrow for a word of it: the normal line, never a name cut mid-letter.
    let narrow = render(&d, &mut view, 80, 24);
    let s = screen(&narrow);
    assert!(s.contains("│Press-on nails, almond, blush pink "), "{s}");
    assert!(!s.contains(&name[0].chars().take(10).collect::<String>()), "{s}");
    insta::assert_snapshot!("host_product_80x24", narrow.backend());
}

#[test]
fn snapshot_the_host_view_counts_the_sale_down_large_and_shows_a_due_cue() {
    let mut d = show_desk();
    next(&mut d, t(10));
    next(&mut d, t(20));
    start(&mut d, "almond-rush", t(30));
    d.apply(Input::Tick, t(110));
    let mut view = ViewState { host: true, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    let digits = crate::ui::bigtext::lines("0:40", crate::ui::bigtext::Font::Large);
    assert!(s.contains(&digits[0]), "the countdown in block digits: {s}");
    assert!(s.contains("almond-rush · 10 of 10 left"), "{s}");
    assert!(s.contains(" DUE  Say: Free UK shipping over £30 tonight"), "{s}");
    insta::assert_snapshot!("host_sale_due_120x40", term.backend());
}

#[test]
fn the_show_keys_move_the_show_and_start_what_its_cue_names() {
    let mut d = show_desk();
    let mut view = ViewState { host: true, ..ViewState::new() };
    assert_eq!(view.on_key(&key('>'), &keymap(), &d), Effect::Desk(Action::NextCue { seed: None }));
    assert_eq!(view.on_key(&key('<'), &keymap(), &d), Effect::Desk(Action::PreviousCue {}));
    next(&mut d, t(10));
    next(&mut d, t(11));
    // The sale cue: the start key starts its sale, not the Flash sale pane's next planned.
    view.sale.selected = Some(1);
    assert_eq!(
        act(&mut view, &d, KeyAction::StartSale),
        Effect::Desk(Action::StartSale { id: "almond-rush".into() })
    );
    // The next cue starts its giveaway on arrival: the step carries a fresh seed for its draw.
    match view.on_key(&key('>'), &keymap(), &d) {
        Effect::Desk(Action::NextCue { seed }) => assert!(seed.is_some()),
        other => panic!("{other:?}"),
    }
    next(&mut d, t(12));
    match act(&mut view, &d, KeyAction::StartGiveaway) {
        Effect::Desk(Action::StartGiveaway { id, .. }) => assert_eq!(id.as_deref(), Some("glue-kit")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_host_view_draws_a_plan_text_with_escapes_and_bidi_controls_as_plain_text() {
    let mut shop = shop();
    shop.catalog.products[0].name = "Crème\u{1b}[31m \u{202E}brûlée".into();
    shop.show = ShowPlan {
        cues: vec![CueSpec {
            product: Some("ALMOND-PINK".into()),
            points: vec!["\u{1b}]0;owned\u{7}blush \u{202E}pink\u{1b}[31m".into()],
            ..cue()
        }],
    };
    let mut d = welcomed(shop);
    next(&mut d, t(1));
    let mut view = ViewState { host: true, ..ViewState::new() };
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("• blush pink"), "{s}");
    let big = crate::ui::bigtext::lines("CREME BRULEE", crate::ui::bigtext::Font::Large);
    assert!(s.contains(&big[0]), "the cleaned name in block letters, accents folded: {s}");
    assert!(!s.contains('\u{1b}') && !s.contains('\u{202E}') && !s.contains("owned"), "{s}");
}
