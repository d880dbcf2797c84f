//! The giveaway strip of the Flash sale pane, and the keys that start and draw a giveaway.

use super::*;
use crate::config::model::GiveawaysPlan;
use crate::desk::giveaways::Seed;

/// The busy stream's desk, with a giveaway planned.
fn giveaway_desk() -> Desk {
    let mut shop = shop();
    shop.giveaways = GiveawaysPlan { giveaways: vec![glue_kit(2)] };
    welcomed(shop)
}

/// The giveaway open 18 s, with three entries, one of them twice.
fn open_giveaway() -> Desk {
    let mut d = giveaway_desk();
    d.apply(Input::Operator(Action::StartGiveaway { id: None, seed: Seed(42) }), t(100));
    for (i, name) in ["maria", "jo", "kenji", "maria"].iter().enumerate() {
        say(&mut d, 300 + i as u64, name, "giveaway!!", t(101 + i as i64));
    }
    d.apply(Input::Tick, t(118));
    d
}

#[test]
fn snapshot_flash_sale_pane_with_a_giveaway_counting_down() {
    let d = open_giveaway();
    let mut view = ViewState { focus: Pane::Sale, ..ViewState::new() };
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" GIVEAWAY  glue-kit · a nail glue kit"), "{s}");
    assert!(s.contains("0:42 “giveaway” · 3 entered · G draw now"), "{s}");
    insta::assert_snapshot!("sale_giveaway_open_120x40", term.backend());
}

#[test]
fn snapshot_flash_sale_pane_with_a_giveaway_drawn_beside_a_live_sale() {
    let mut d = open_giveaway();
    start(&mut d, "almond-rush", t(119));
    d.apply(Input::Tick, t(160));
    let winners: Vec<String> = d.giveaways().all()[0].winners().map(|w| format!("@{}", w.name)).collect();
    assert_eq!(winners.len(), 2);
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 120, 40);
    let s = screen(&term);
    assert!(s.contains(" WINNERS  glue-kit"), "{s}");
    assert!(s.contains(&winners.join(" ")), "{s}");
    assert!(s.contains("3 entered · seed 000000000000002a"), "{s}");
    assert!(s.contains("LIVE"), "the sale keeps its countdown below: {s}");
    insta::assert_snapshot!("sale_giveaway_drawn_120x40", term.backend());
}

#[test]
fn the_pane_names_the_start_key_while_a_giveaway_waits() {
    let d = giveaway_desk();
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(s.contains("┌ Flash sale  s start  g giveaway "), "{s}");
    let s = screen(&render(&open_giveaway(), &mut view, 120, 40));
    assert!(!s.contains("g giveaway"), "one is open already: {s}");
}

#[test]
fn the_giveaway_keys_start_with_a_fresh_seed_and_draw() {
    let d = giveaway_desk();
    let mut view = ViewState::new();
    let seeds: Vec<Seed> = (0..2)
        .map(|_| match act(&mut view, &d, KeyAction::StartGiveaway) {
            Effect::Desk(Action::StartGiveaway { id: None, seed }) => seed,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_ne!(seeds[0], seeds[1], "each start picks its own seed");
    assert!(matches!(act(&mut view, &d, KeyAction::DrawGiveaway), Effect::Desk(Action::DrawGiveaway { .. })));
}
