//! Giveaways: entries by keyword, the gates, the countdown's draw, the winners' reply, and a
//! draw that a replay and a rebuilt journal make again.

use proptest::prelude::*;

use super::*;
use crate::config::model::{GiveawaySpec, GiveawaysPlan, Shipping};
use crate::desk::giveaways::{GiveawayState, Seed, draw::draw};
use crate::store::Resume;

/// A giveaway of a glue kit, entered by "Giveaway!" (the show's tests plan it too).
pub(super) fn spec(id: &str, winners: u32, seconds: u32) -> GiveawaySpec {
    GiveawaySpec {
        id: id.into(),
        prize: "a glue kit".into(),
        winners,
        keyword: "Giveaway!".into(),
        seconds,
        followers_only: false,
        min_watch_seconds: 0,
        start_text: None,
        winners_text: None,
    }
}

/// A desk that ships to the UK only, with these giveaways planned.
fn desk_with(giveaways: Vec<GiveawaySpec>) -> Desk {
    let mut shop = shop();
    shop.giveaways = GiveawaysPlan { giveaways };
    shop.shipping = Shipping { ships_to: vec!["GB".into()], ..Shipping::default() };
    Desk::new(DeskSetup { shop, ..setup() })
}

fn viewer(name: &str, region: &str) -> User {
    User { region: Some(region.into()), ..user(name) }
}

fn said(seq: u64, who: User, text: &str) -> Input {
    frame(seq, Event::Chat { msg_id: format!("m{seq}"), user: who, text: text.into(), reply_to: None })
}

fn start(seed: u64) -> Input {
    op(Action::StartGiveaway { id: None, seed: Seed(seed) })
}

fn entrants(d: &Desk, id: &str) -> Vec<String> {
    let g = d.giveaways().all().iter().find(|g| g.spec.id == id).unwrap();
    g.entrants.iter().map(|e| e.name.clone()).collect()
}

fn winners(d: &Desk, id: &str) -> Vec<String> {
    let g = d.giveaways().all().iter().find(|g| g.spec.id == id).unwrap();
    g.winners().map(|e| e.name.clone()).collect()
}

#[test]
fn a_start_opens_the_next_giveaway_and_says_so_in_the_chat() {
    let mut d = desk_with(vec![spec("kit", 1, 60), spec("bag", 1, 30)]);
    let out = d.apply(start(7), t(0));
    assert_eq!(sent_texts(&out), ["Giveaway! Comment \"Giveaway!\" in the next 1:00 to win a glue kit."]);
    let open = d.giveaways().open().expect("kit is open");
    assert_eq!(open.spec.id, "kit");
    assert_eq!(open.remaining(t(15)).num_seconds(), 45);
    assert_eq!(open.drawn_seed(), None, "the seed stays unseen until the draw");
    // One at a time: the second waits for the first's draw.
    d.apply(start(8), t(1));
    assert_eq!(last_notice(&d), "Cannot start giveaway: giveaway kit is taking entries");
    assert_eq!(d.giveaways().next_planned().unwrap().spec.id, "bag");
}

#[test]
fn each_viewer_enters_once_by_the_keyword_and_only_from_where_the_shop_ships() {
    let mut d = desk_with(vec![spec("kit", 2, 60)]);
    d.apply(start(1), t(0));
    d.apply(said(1, viewer("ann", "GB"), "GIVEAWAY!!! 🎁"), t(1));
    d.apply(said(2, viewer("ann", "GB"), "giveaway again"), t(2));
    d.apply(said(3, viewer("bea", "US"), "giveaway"), t(3));
    d.apply(said(4, viewer("cat", "GB"), "giveaways are fun"), t(4));
    d.apply(said(5, User { region: None, ..user("dee") }, "me giveaway pls"), t(5));
    let operator = User { badges: vec!["operator".into()], ..viewer("shop", "GB") };
    d.apply(said(6, operator, "giveaway time!"), t(6));
    assert_eq!(entrants(&d, "kit"), ["ann", "dee"], "whole words only; an unknown region may enter");
    let refused = d.giveaways().open().unwrap().refused;
    assert_eq!((refused.cant_ship, refused.repeats), (1, 1));
}

#[test]
fn followers_only_and_a_minimum_watch_time_gate_the_entries() {
    let g = GiveawaySpec { followers_only: true, min_watch_seconds: 120, ..spec("kit", 3, 600) };
    let mut d = desk_with(vec![g]);
    let fan = User { follower: true, ..viewer("ann", "GB") };
    d.apply(frame(1, Event::Join { user: fan.clone() }), t(0));
    d.apply(frame(2, Event::Join { user: viewer("bea", "GB") }), t(0));
    d.apply(start(1), t(200));
    d.apply(said(3, fan, "giveaway"), t(201));
    // Bea has watched long enough but does not follow, until she does.
    d.apply(said(4, viewer("bea", "GB"), "giveaway"), t(202));
    d.apply(frame(5, Event::Follow { user: viewer("bea", "GB") }), t(203));
    d.apply(said(6, viewer("bea", "GB"), "giveaway"), t(204));
    // Cat follows but came a minute ago.
    let cat = User { follower: true, ..viewer("cat", "GB") };
    d.apply(frame(7, Event::Join { user: cat.clone() }), t(150));
    d.apply(said(8, cat.clone(), "giveaway"), t(205));
    d.apply(said(9, cat, "giveaway"), t(271));
    assert_eq!(entrants(&d, "kit"), ["ann", "bea", "cat"]);
    let refused = d.giveaways().open().unwrap().refused;
    assert_eq!((refused.not_follower, refused.too_soon, refused.ruled_out()), (1, 1, 2));
    assert_eq!(d.summary().follows, 1);
    assert_eq!(d.summary().joins, 3);
}

#[test]
fn the_countdown_draws_the_seeded_winners_and_names_them_once() {
    let mut d = desk_with(vec![spec("kit", 2, 60)]);
    d.apply(start(42), t(0));
    for (i, name) in ["ann", "bea", "cat", "dee", "eve"].iter().enumerate() {
        d.apply(said(i as u64 + 1, viewer(name, "GB"), "giveaway"), t(i as i64 + 1));
    }
    let before = d.revision();
    assert!(d.apply(Input::Tick, t(59)).is_empty());
    assert_eq!(d.revision(), before, "a tick before the end changes nothing");
    let out = d.apply(Input::Tick, t(60));
    assert!(d.revision() > before, "the draw's tick is journaled");
    let picks = draw(Seed(42), 5, 2);
    let names = ["ann", "bea", "cat", "dee", "eve"];
    let expected: Vec<String> = picks.iter().map(|&i| names[i].to_string()).collect();
    assert_eq!(winners(&d, "kit"), expected);
    let text = format!(
        "Congratulations @{} and @{}: you won a glue kit! (5 entered, draw seed {})",
        expected[0],
        expected[1],
        Seed(42)
    );
    assert_eq!(sent_texts(&out), [text]);
    assert!(d.notices().any(|n| n.text.starts_with("Giveaway kit drawn: @")));
    // Answered once: later ticks and a late entry change nothing.
    let later = d.apply(Input::Tick, t(61));
    assert!(sent_texts(&later).is_empty());
    d.apply(said(9, viewer("fay", "GB"), "giveaway"), t(62));
    assert_eq!(d.giveaways().all()[0].entrants.len(), 5);
    let summary = serde_json::to_value(d.summary()).unwrap();
    assert_eq!(summary["giveaways"][0]["seed"], "000000000000002a");
    assert_eq!(summary["giveaways"][0]["entrants"], 5);
    assert_eq!(summary["giveaways"][0]["winners"], serde_json::json!(expected));
}

#[test]
fn an_entry_at_the_last_instant_comes_after_the_draw() {
    let mut d = desk_with(vec![spec("kit", 1, 60)]);
    d.apply(start(3), t(0));
    d.apply(said(1, viewer("ann", "GB"), "giveaway"), t(59));
    // No tick came between: the comment at the end's instant meets a drawn giveaway.
    d.apply(said(2, viewer("bea", "GB"), "giveaway"), t(60));
    assert_eq!(entrants(&d, "kit"), ["ann"]);
    assert_eq!(winners(&d, "kit"), ["ann"]);
}

#[test]
fn the_operator_can_draw_early_and_a_drawn_giveaway_does_not_run_again() {
    let mut d = desk_with(vec![spec("kit", 3, 600)]);
    d.apply(op(Action::DrawGiveaway { seed: Seed(77) }), t(0));
    assert_eq!(last_notice(&d), "Cannot draw: no giveaway is taking entries");
    d.apply(start(5), t(1));
    d.apply(said(1, viewer("ann", "GB"), "giveaway"), t(2));
    let out = d.apply(op(Action::DrawGiveaway { seed: Seed(77) }), t(3));
    assert_eq!(winners(&d, "kit"), ["ann"], "fewer entered than may win: all of them win");
    assert_eq!(sent_texts(&out).len(), 1);
    d.apply(op(Action::StartGiveaway { id: Some("kit".into()), seed: Seed(6) }), t(4));
    assert_eq!(last_notice(&d), "Cannot start giveaway: giveaway kit was drawn already");
    d.apply(start(6), t(5));
    assert_eq!(last_notice(&d), "Cannot start giveaway: every giveaway in giveaways.toml has been drawn");
}

#[test]
fn an_early_draw_uses_its_own_seed_not_the_one_the_journal_held_since_the_start() {
    let mut d = desk_with(vec![spec("kit", 2, 600)]);
    d.apply(start(1), t(0));
    let names = ["ann", "bea", "cat", "dee", "eve", "fay", "gus"];
    for (i, name) in names.iter().enumerate() {
        d.apply(said(i as u64 + 1, viewer(name, "GB"), "giveaway"), t(i as i64 + 1));
    }
    d.apply(op(Action::DrawGiveaway { seed: Seed(99) }), t(20));
    let expected: Vec<String> = draw(Seed(99), 7, 2).iter().map(|&i| names[i].to_string()).collect();
    assert_ne!(draw(Seed(1), 7, 2), draw(Seed(99), 7, 2), "the two seeds draw apart");
    assert_eq!(winners(&d, "kit"), expected);
    assert_eq!(d.giveaways().all()[0].drawn_seed(), Some(Seed(99)), "the seed shown is the one used");
}

#[test]
fn a_giveaway_no_one_entered_draws_no_one_and_says_nothing_in_the_chat() {
    let mut d = desk_with(vec![spec("kit", 1, 10)]);
    d.apply(start(5), t(0));
    let out = d.apply(Input::Tick, t(10));
    assert!(sent_texts(&out).is_empty());
    assert!(matches!(d.giveaways().all()[0].state, GiveawayState::Drawn { .. }));
    assert_eq!(last_notice(&d), "Giveaway kit drawn: no one entered (seed 0000000000000005)");
}

#[test]
fn the_winners_reply_passes_the_pre_send_check() {
    // A prize the shop cannot send where it ships: the reply is held for the operator.
    let mut g = spec("kit", 1, 10);
    g.winners_text = Some("{winners} won {prize}, posted to Ireland!".into());
    let mut d = desk_with(vec![g]);
    d.apply(start(5), t(0));
    d.apply(said(1, viewer("ann", "GB"), "giveaway"), t(1));
    let out = d.apply(Input::Tick, t(10));
    assert!(sent_texts(&out).is_empty());
    let held = d.held().expect("held by the check");
    assert_eq!(held.text, "@ann won a glue kit, posted to Ireland!");
    assert_eq!(held.label, "giveaway kit winners");
}

#[test]
fn a_winner_whose_name_is_a_place_is_no_place_to_the_check() {
    let mut d = desk_with(vec![spec("kit", 1, 10)]);
    d.apply(start(5), t(0));
    d.apply(said(1, viewer("Ireland", "GB"), "giveaway"), t(1));
    let out = d.apply(Input::Tick, t(10));
    assert_eq!(sent_texts(&out).len(), 1, "{:?}", d.held());
}

#[test]
fn a_giveaway_that_ends_after_the_stream_is_drawn_and_its_winners_left_to_the_operator() {
    let mut d = desk_with(vec![spec("kit", 1, 30)]);
    d.apply(start(5), t(0));
    d.apply(said(1, viewer("ann", "GB"), "giveaway"), t(1));
    d.apply(frame(2, Event::Stream { state: StreamState::Ended }), t(2));
    let out = d.apply(Input::Tick, t(30));
    assert_eq!(winners(&d, "kit"), ["ann"]);
    assert!(sent_texts(&out).is_empty(), "nothing can be sent to an ended stream");
    assert_eq!(last_notice(&d), "The stream has ended: tell @ann yourself that they won");
}

/// A stream with a giveaway: joins, entries, refusals, a tick past the end.
fn giveaway_stream(seed: u64) -> Vec<(Input, DateTime<Utc>)> {
    let mut inputs = vec![(start(seed), t(0))];
    for i in 0..12u64 {
        let region = if i % 5 == 4 { "US" } else { "GB" };
        let name = format!("v{i}");
        inputs.push((said(i + 1, viewer(&name, region), "giveaway 🎁"), t(i as i64 + 1)));
    }
    inputs.push((Input::Tick, t(30)));
    inputs.push((Input::Tick, t(61)));
    inputs
}

#[test]
fn the_same_journal_draws_the_same_winners_and_another_seed_others() {
    let run = |seed| {
        let mut d = desk_with(vec![spec("kit", 3, 60)]);
        for (input, at) in giveaway_stream(seed) {
            d.apply(input, at);
        }
        (winners(&d, "kit"), d.state_digest())
    };
    let (a, digest) = run(11);
    assert_eq!(a.len(), 3);
    assert_eq!(run(11), (a.clone(), digest.clone()));
    let (_, other) = run(12);
    assert_ne!(digest, other, "the seed is domain state");
}

#[test]
fn a_desk_rebuilt_from_the_store_draws_the_same_winners() {
    use crate::app::{Clock, Session};
    use crate::store::{self, Journal, Store};
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::config::load(
        &crate::config::Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") },
        &crate::config::EnvInfo::default(),
    )
    .unwrap();
    config.shop.giveaways = GiveawaysPlan { giveaways: vec![spec("kit", 3, 60)] };
    let path = store::path_in(&dir.path().join("state"));
    let db = Store::open(&path).unwrap();
    let mut live = Session::replay(&config, "live".into(), Clock::wall());
    live.attach_store(&db, Journal::start(&path).unwrap(), "live", Resume::Fresh).unwrap();
    for (input, at) in giveaway_stream(99) {
        live.apply((input, Some(at)));
    }
    live.finish();
    let drawn = winners(&live.desk, "kit");
    assert_eq!(drawn.len(), 3);
    let session = db.sessions().unwrap().last().expect("journaled").id;
    let mut rebuilt = Session::replay(&config, "live".into(), Clock::wall()).desk;
    db.rebuild(session, &mut rebuilt).unwrap();
    assert_eq!(winners(&rebuilt, "kit"), drawn);
    assert_eq!(rebuilt.state_digest(), live.desk.state_digest());
}

proptest! {
    /// Whoever comments whatever, each viewer enters at most once, only keyword comments
    /// from where the shop ships enter, and the draw picks min(winners, entrants) distinct
    /// entrants.
    #[test]
    fn entries_are_one_per_viewer_and_winners_are_entrants(
        comments in proptest::collection::vec((0usize..8, 0usize..4), 0..60),
        winners_n in 1u32..6,
        seed in any::<u64>(),
    ) {
        // The first two have the keyword as a word; the others do not.
        const TEXTS: [&str; 4] = ["giveaway", "GIVEAWAY!! 🎁", "hi", "giveaways"];
        let mut d = desk_with(vec![spec("kit", winners_n, 600)]);
        d.apply(start(seed), t(0));
        let mut eligible = std::collections::HashSet::new();
        for (i, (who, text)) in comments.iter().enumerate() {
            // Viewers 6 and 7 live where the shop does not ship.
            let region = if *who >= 6 { "US" } else { "GB" };
            let name = format!("v{who}");
            if *text < 2 && region == "GB" {
                eligible.insert(name.clone());
            }
            d.apply(said(i as u64 + 1, viewer(&name, region), TEXTS[*text]), t(i as i64 + 1));
        }
        d.apply(Input::Tick, t(600));
        let g = &d.giveaways().all()[0];
        let ids: Vec<&str> = g.entrants.iter().map(|e| e.user_id.as_str()).collect();
        let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
        prop_assert_eq!(unique.len(), ids.len(), "one entry per viewer");
        let entered: std::collections::HashSet<String> = g.entrants.iter().map(|e| e.name.clone()).collect();
        prop_assert_eq!(&entered, &eligible);
        let won: Vec<&str> = g.winners().map(|w| w.user_id.as_str()).collect();
        prop_assert_eq!(won.len(), (winners_n as usize).min(ids.len()));
        let distinct: std::collections::HashSet<&str> = won.iter().copied().collect();
        prop_assert_eq!(distinct.len(), won.len());
        prop_assert!(won.iter().all(|w| unique.contains(w)));
    }
}
