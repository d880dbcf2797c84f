//! Connection news, the stream's end and quiet spells.

use super::*;

#[test]
fn link_news_is_counted_for_the_operator() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Duplicate), t(0));
    d.apply(Input::Link(LinkEvent::Malformed { reason: "x".into() }), t(0));
    d.apply(Input::Link(LinkEvent::Unknown { kind: "hologram".into() }), t(0));
    d.apply(Input::Link(LinkEvent::Gap { missed: 4 }), t(0));
    d.apply(Input::Link(LinkEvent::Disconnected { reason: "reset".into(), retry_in_ms: 500 }), t(0));
    let s = d.summary();
    assert_eq!(
        (s.duplicates_dropped, s.malformed_dropped, s.unknown_types, s.gaps, s.missed_events),
        (1, 1, 1, 1, 4)
    );
    assert!(matches!(d.link(), Link::Reconnecting { attempt: 1, .. }));
}

#[test]
fn one_outage_is_one_reconnect_however_many_attempts() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Connected), t(0));
    for attempt in 1..=4 {
        d.apply(
            Input::Link(LinkEvent::Disconnected { reason: "refused".into(), retry_in_ms: 500 }),
            t(attempt),
        );
    }
    assert_eq!(d.health().reconnects, 1);
    assert!(matches!(d.link(), Link::Reconnecting { attempt: 4, .. }));
    assert_eq!(d.notices().filter(|n| n.text.contains("Connection lost")).count(), 1);
}

#[test]
fn the_tick_that_shows_a_quiet_feed_is_kept_by_the_journal_and_a_comment_ends_the_spell() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Connected), t(0));
    d.apply(frame(1, Event::Viewers { count: 3400 }), t(1));
    d.apply(chat(2, "ann", "hi"), t(2));
    let before = d.revision();
    d.apply(Input::Tick, t(30));
    assert_eq!(d.revision(), before, "a tick that shows nothing is not journaled");
    d.apply(Input::Tick, t(62));
    assert_ne!(d.revision(), before, "the tick that shows the spell is journaled");
    assert_eq!(d.health().quiet(d.now()).map(|s| s.seconds()), Some(60));
    let before = d.revision();
    d.apply(Input::Tick, t(80));
    assert_eq!(d.revision(), before, "a spell going on changes nothing");
    d.apply(chat(3, "bea", "back"), t(90));
    let s = d.summary().feed_health;
    assert_eq!((s.quiet_spells, s.quiet_seconds, s.longest_quiet_seconds), (1, 88, 88));
    assert_eq!((s.spells[0].viewers, s.spells[0].start.as_str()), (3400, "2025-11-13T02:13:22.000Z"));
    assert_eq!(d.health().quiet(d.now()), None);
}

#[test]
fn after_the_stream_ends_nothing_is_sent_and_the_link_says_so() {
    let mut d = desk();
    d.apply(chat(1, "maria", "bye"), t(0));
    d.apply(Input::Link(LinkEvent::StreamEnded), t(1));
    assert_eq!(*d.link(), Link::Ended);
    assert!(d.ended());
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    assert!(out.is_empty());
    assert!(d.notices().last().unwrap().text.contains("stream has ended"));
}

#[test]
fn a_stream_ended_event_stops_commands_too() {
    let mut d = desk();
    d.apply(chat(1, "maria", "bye"), t(0));
    d.apply(frame(2, Event::Stream { state: StreamState::Ended }), t(1));
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    assert!(out.is_empty());
}
