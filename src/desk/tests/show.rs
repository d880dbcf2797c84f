//! The run of show: the next-cue and back actions, timed cues coming due on ticks, and a
//! replay that lands on the same cue.

use super::*;
use crate::config::model::{CueSpec, GiveawaysPlan, ShowPlan};
use crate::desk::giveaways::{GiveawayState, Seed};
use crate::desk::show::Cue;

fn show_desk() -> Desk {
    let mut shop = shop();
    shop.show = ShowPlan {
        cues: vec![
            CueSpec {
                product: Some("ALMOND-PINK".into()),
                points: vec!["blush".into()],
                ..CueSpec::default()
            },
            CueSpec { sale: Some("almond-rush".into()), ..CueSpec::default() },
            CueSpec { say: Some("free shipping".into()), at: Some("2:00".into()), ..CueSpec::default() },
        ],
    };
    Desk::new(DeskSetup { shop, ..setup() })
}

/// `d` after `inputs`, applied in order.
fn applied(mut d: Desk, inputs: &[(Input, DateTime<Utc>)]) -> Desk {
    for (input, at) in inputs.iter().cloned() {
        d.apply(input, at);
    }
    d
}

fn on(d: &Desk) -> Option<usize> {
    d.show().current().map(|(i, _)| i)
}

#[test]
fn the_next_cue_key_moves_the_show_on_and_back_and_says_where_it_is() {
    let mut d = show_desk();
    assert_eq!(on(&d), None);
    // Onto a product cue: its product goes on screen, as the pin key would put it.
    let sent = d.apply(op(Action::NextCue { seed: None }), t(5));
    assert!(
        matches!(&sent[..], [Output::Send(Command::PinProduct { sku: Some(s), .. })] if s == "ALMOND-PINK"),
        "{sent:?}"
    );
    assert_eq!(d.pinned(), Some("ALMOND-PINK"));
    let said: Vec<String> = d.notices().map(|n| n.text.clone()).collect();
    assert!(said.iter().any(|n| n == "Show 1/3: Almond blush"), "{said:?}");
    d.apply(op(Action::NextCue { seed: None }), t(65));
    assert_eq!(last_notice(&d), "Show 2/3: flash sale almond-rush");
    assert_eq!(d.show().current().map(|(_, c)| c), Some(&Cue::Sale { id: "almond-rush".into() }));
    assert_eq!(d.show().on_for(t(70)).map(|t| t.num_seconds()), Some(5));
    // Back onto it: pinned already, so nothing is sent again.
    assert!(d.apply(op(Action::PreviousCue {}), t(80)).is_empty());
    assert_eq!(on(&d), Some(0));
    d.apply(op(Action::PreviousCue {}), t(81));
    assert_eq!(last_notice(&d), "Not moved: the show is at its first cue");
    assert_eq!(on(&d), Some(0));

    let mut none = desk();
    none.apply(op(Action::NextCue { seed: None }), t(0));
    assert_eq!(
        last_notice(&none),
        "no run of show: write show.toml in the config dir, or run with --show FILE"
    );
}

#[test]
fn a_timed_cue_comes_due_on_the_tick_that_reaches_it_and_the_journal_keeps_that_tick() {
    let mut d = show_desk();
    d.apply(Input::Tick, t(500));
    assert_eq!(d.show().due().count(), 0, "the show's clock starts with its first cue");
    d.apply(op(Action::NextCue { seed: None }), t(1_000));
    let before = d.revision();
    d.apply(Input::Tick, t(1_119));
    assert_eq!(d.revision(), before, "a tick before the time changes nothing");
    d.apply(Input::Tick, t(1_120));
    assert!(d.revision() > before, "the tick that makes a cue due is kept");
    assert_eq!(last_notice(&d), "Cue due (3/3): say \"free shipping\"");
    assert_eq!(d.show().due().map(|(i, _)| i).collect::<Vec<_>>(), [2]);
    let after = d.revision();
    d.apply(Input::Tick, t(1_121));
    assert_eq!(d.revision(), after, "told once");
    d.apply(op(Action::NextCue { seed: None }), t(1_130));
    d.apply(op(Action::NextCue { seed: None }), t(1_131));
    assert_eq!(d.show().due().count(), 0, "on now: no longer waiting");
}

#[test]
fn the_same_inputs_land_on_the_same_cue_and_the_digest_tells_cues_apart() {
    let inputs = [
        (op(Action::NextCue { seed: None }), t(1)),
        (chat(1, "ann", "hello"), t(2)),
        (op(Action::NextCue { seed: None }), t(3)),
        (Input::Tick, t(200)),
    ];
    let run = || applied(show_desk(), &inputs);
    let (a, b) = (run(), run());
    assert_eq!(on(&a), Some(1));
    assert_eq!(a.show(), b.show());
    assert_eq!(a.state_digest(), b.state_digest());
    let mut moved = run();
    moved.apply(op(Action::PreviousCue {}), t(201));
    assert_ne!(moved.state_digest(), a.state_digest(), "consoles on different cues disagree");
    assert_eq!(desk().state_digest(), show_desk().state_digest(), "a show not begun hashes as none");
}

#[test]
fn the_show_does_not_move_once_the_stream_has_ended() {
    let mut d = show_desk();
    d.apply(frame(1, Event::Stream { state: StreamState::Ended }), t(0));
    d.apply(op(Action::NextCue { seed: None }), t(1));
    assert_eq!(on(&d), None);
    assert_eq!(last_notice(&d), "The stream has ended: nothing was sent");
}

/// The show with its sale and a giveaway planned to start when the show reaches them.
fn starting_desk() -> Desk {
    let mut shop = shop();
    shop.giveaways = GiveawaysPlan { giveaways: vec![super::giveaways::spec("kit", 1, 60)] };
    shop.show = ShowPlan {
        cues: vec![
            CueSpec { product: Some("ALMOND-PINK".into()), ..CueSpec::default() },
            CueSpec { sale: Some("almond-rush".into()), start: true, ..CueSpec::default() },
            CueSpec { giveaway: Some("kit".into()), start: true, ..CueSpec::default() },
        ],
    };
    Desk::new(DeskSetup { shop, ..setup() })
}

fn next_with(seed: u64) -> Input {
    op(Action::NextCue { seed: Some(Seed(seed)) })
}

#[test]
fn moving_onto_a_start_cue_starts_its_sale_once_through_the_start_action() {
    let mut d = starting_desk();
    assert!(d.show().starts_on_arrival(1));
    assert!(sale_commands(&d.apply(op(Action::NextCue { seed: None }), t(0))).is_empty());
    let out = d.apply(op(Action::NextCue { seed: None }), t(10));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 3, 120)], "reached: started at once");
    assert!(d.sales().live().is_some_and(|s| s.spec.id == "almond-rush"));
    assert!(!d.show().starts_on_arrival(1));
    // Back and on again: the sale is not started a second time, even once it has ended.
    d.apply(op(Action::PreviousCue {}), t(20));
    let again = d.apply(op(Action::NextCue { seed: None }), t(21));
    assert!(sale_commands(&again).is_empty(), "{again:?}");
    d.apply(op(Action::EndSale { id: None }), t(30));
    d.apply(op(Action::PreviousCue {}), t(31));
    assert!(sale_commands(&d.apply(op(Action::NextCue { seed: None }), t(32))).is_empty());
    assert!(!d.notices().any(|n| n.text.starts_with("Cannot")), "no refusal either");
}

#[test]
fn a_start_cue_the_operator_started_by_hand_is_not_started_again() {
    let mut d = starting_desk();
    d.apply(op(Action::NextCue { seed: None }), t(0));
    assert!(d.cue_starts_on_arrival(1));
    d.apply(op(Action::StartSale { id: "almond-rush".into() }), t(1));
    // The screen must not promise that `>` starts it any more.
    assert!(d.show().starts_on_arrival(1) && !d.cue_starts_on_arrival(1));
    let out = d.apply(op(Action::NextCue { seed: None }), t(2));
    assert!(sale_commands(&out).is_empty());
    assert!(!d.notices().any(|n| n.text.starts_with("Cannot")));
}

#[test]
fn a_start_giveaway_cue_opens_it_with_the_steps_seed_and_a_replay_draws_the_same() {
    let inputs = [
        (next_with(1), t(0)),
        (next_with(2), t(1)),
        (next_with(0xfeed), t(2)),
        (chat(1, "ann", "giveaway!"), t(3)),
        (chat(2, "bea", "giveaway"), t(4)),
        (Input::Tick, t(70)),
    ];
    let run = || applied(starting_desk(), &inputs);
    let (a, b) = (run(), run());
    let kit = |d: &Desk| d.giveaways().all().iter().find(|g| g.spec.id == "kit").unwrap().clone();
    assert_eq!(kit(&a).drawn_seed(), Some(Seed(0xfeed)), "the seed of the step that reached it");
    assert_eq!(kit(&a).entrants.len(), 2);
    assert_eq!(kit(&a).winners().count(), 1);
    assert_eq!(a.state_digest(), b.state_digest());

    // A scripted step with no seed cannot draw fairly: it says so and leaves it to the key.
    let mut d = starting_desk();
    for at in 0..3 {
        d.apply(op(Action::NextCue { seed: None }), t(at));
    }
    assert_eq!(kit(&d).state, GiveawayState::Planned);
    assert_eq!(last_notice(&d), "Giveaway kit not started: the step carried no seed; start it by hand");
}
