//! The run of show: the next-cue and back actions, timed cues coming due on ticks, and a
//! replay that lands on the same cue.

use super::*;
use crate::config::model::{CueSpec, ShowPlan};
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

fn on(d: &Desk) -> Option<usize> {
    d.show().current().map(|(i, _)| i)
}

#[test]
fn the_next_cue_key_moves_the_show_on_and_back_and_says_where_it_is() {
    let mut d = show_desk();
    assert_eq!(on(&d), None);
    assert!(d.apply(op(Action::NextCue {}), t(5)).is_empty(), "moving the show sends nothing");
    assert_eq!(last_notice(&d), "Show 1/3: Almond blush");
    d.apply(op(Action::NextCue {}), t(65));
    assert_eq!(last_notice(&d), "Show 2/3: flash sale almond-rush");
    assert_eq!(d.show().current().map(|(_, c)| c), Some(&Cue::Sale { id: "almond-rush".into() }));
    assert_eq!(d.show().on_for(t(70)).map(|t| t.num_seconds()), Some(5));
    d.apply(op(Action::PreviousCue {}), t(80));
    assert_eq!(on(&d), Some(0));
    d.apply(op(Action::PreviousCue {}), t(81));
    assert_eq!(last_notice(&d), "Not moved: the show is at its first cue");
    assert_eq!(on(&d), Some(0));

    let mut none = desk();
    none.apply(op(Action::NextCue {}), t(0));
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
    d.apply(op(Action::NextCue {}), t(1_000));
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
    d.apply(op(Action::NextCue {}), t(1_130));
    d.apply(op(Action::NextCue {}), t(1_131));
    assert_eq!(d.show().due().count(), 0, "on now: no longer waiting");
}

#[test]
fn the_same_inputs_land_on_the_same_cue_and_the_digest_tells_cues_apart() {
    let inputs = [
        (op(Action::NextCue {}), t(1)),
        (chat(1, "ann", "hello"), t(2)),
        (op(Action::NextCue {}), t(3)),
        (Input::Tick, t(200)),
    ];
    let run = || {
        let mut d = show_desk();
        for (input, at) in inputs.clone() {
            d.apply(input, at);
        }
        d
    };
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
    d.apply(op(Action::NextCue {}), t(1));
    assert_eq!(on(&d), None);
    assert_eq!(last_notice(&d), "The stream has ended: nothing was sent");
}
