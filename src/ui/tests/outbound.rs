//! The send limit's queue in the status bar.

use super::*;

/// The busy stream with five replies sent at once, three of them held back by the limit.
fn queued_desk() -> Desk {
    let mut d = busy_desk();
    for key in ["1", "3", "4", "1", "3"] {
        d.apply(Input::Operator(Action::SendReply { key: key.into(), to: Some("m10".into()) }), t(100));
    }
    let refs: Vec<String> = d.pending().keys().cloned().collect();
    assert_eq!(refs.len(), 5);
    let held = refs[2..].to_vec();
    d.apply(Input::Link(LinkEvent::SendQueue { held, next_in_ms: 11_200 }), t(100));
    d
}

#[test]
fn snapshot_status_bar_with_a_send_queue() {
    let mut d = queued_desk();
    let mut view = ViewState::new();
    let s = screen(&render(&d, &mut view, 120, 40));
    assert!(status_of(&s).contains("⏳ 3 queued · next 12s"), "{s}");
    // The clock runs down; the two that went are slow to be acked, the held ones are not.
    d.apply(Input::Tick, t(106));
    let wide = status_of(&screen(&render(&d, &mut view, 200, 40)));
    assert!(wide.contains("⏳ 3 queued · next 6s") && wide.contains("2 awaiting ack"), "{wide}");
    let status = status_of(&screen(&render(&d, &mut view, 120, 40)));
    insta::assert_snapshot!("status_send_queue_120x40", status);
    let narrow = status_of(&screen(&render(&d, &mut view, 80, 24)));
    assert!(narrow.contains("⏳ 3 queued · next 6s"), "it stays at 80 columns: {narrow}");
    insta::assert_snapshot!("status_send_queue_80x24", narrow);
}

#[test]
fn the_queue_empties_as_it_drains_and_goes_with_the_connection() {
    let mut d = queued_desk();
    let mut view = ViewState::new();
    let held: Vec<String> = d.pending().keys().skip(3).cloned().collect();
    d.apply(Input::Link(LinkEvent::SendQueue { held, next_in_ms: 4_000 }), t(108));
    assert!(status_of(&screen(&render(&d, &mut view, 120, 40))).contains("⏳ 2 queued · next 4s"));
    d.apply(Input::Link(LinkEvent::SendQueue { held: vec![], next_in_ms: 0 }), t(112));
    assert!(!screen(&render(&d, &mut view, 120, 40)).contains("⏳"));
    // A dropped connection takes the feed client's queue with it: what is unacked waits for
    // the next one, and the bar counts it that way.
    let again: Vec<String> = d.pending().keys().skip(4).cloned().collect();
    d.apply(Input::Link(LinkEvent::SendQueue { held: again, next_in_ms: 1_000 }), t(113));
    d.apply(Input::Link(LinkEvent::Disconnected { reason: "reset".into(), retry_in_ms: 500 }), t(114));
    let status = status_of(&screen(&render(&d, &mut view, 120, 40)));
    assert!(!status.contains("⏳") && status.contains("5 queued"), "{status}");
}

/// The status bar's first row.
fn status_of(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let last = lines.iter().rposition(|l| l.starts_with("\"└")).unwrap_or(0);
    lines[last + 1..].join("\n")
}
