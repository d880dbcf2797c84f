//! What the operator's hands do, as data: keys become these through the keymap, and
//! scripts and recordings carry them as `{"operator": name, "args": {...}}` lines.

use serde::{Deserialize, Serialize};

use super::catalog::Adjust;
use super::giveaways::Seed;

/// An operator action that changes the desk (view-only keys such as scrolling never
/// become one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operator", content = "args", rename_all = "snake_case")]
pub enum Action {
    /// Send the canned reply on `key`, filled for the message `to` (a msg_id), if any.
    SendReply {
        key: String,
        #[serde(default)]
        to: Option<String>,
    },
    /// Send the canned reply with id `reply` (its title when it has none), filled for the
    /// message `to`, if any, and in that message's language when the reply has it.
    Answer {
        reply: String,
        #[serde(default)]
        to: Option<String>,
    },
    /// Mark the chat message `msg_id` handled: a question so marked leaves the Unanswered
    /// view, as if it had been answered.
    MarkHandled { msg_id: String },
    /// Toggle one tag of the chat message `msg_id` (`question`, `buyer`, `shipping`,
    /// `complaint`, `spam`, `cant-ship`): the operator's fix, which comments that read the
    /// same take from then on.
    Retag { msg_id: String, tag: String },
    /// Ask the platform to delete the chat message `msg_id`.
    DeleteMessage { msg_id: String },
    /// Mute a viewer on the platform for `seconds` (`None`: `mute_seconds` from `chat.toml`);
    /// their comments are dimmed on the desk until it ends. `name` is for the notices.
    MuteViewer {
        user_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seconds: Option<u32>,
    },
    /// Pin the chat message `msg_id` on the stream (and on top of the Chat pane).
    PinMessage { msg_id: String },
    /// Start the planned flash sale `id` (its preheat first, if it has one).
    StartSale { id: String },
    /// Add time to a live or paused flash sale (`None`: the one started last).
    ExtendSale {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default = "thirty")]
        seconds: u32,
    },
    /// End a running flash sale now (`None`: the one started last).
    EndSale {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Stop a live flash sale's clock and its selling (`None`: the live one started last).
    PauseSale {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Sell a paused flash sale again from where it stopped (`None`: the paused one
    /// started last).
    ResumeSale {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Open the giveaway `id` of giveaways.toml for entries (`None`: the next not yet
    /// drawn). `seed` is the draw's: the console picks it at random, and carrying it here
    /// puts it in the journal, so a replay draws the same winners.
    StartGiveaway {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        seed: Seed,
    },
    /// Draw the open giveaway now, before its countdown ends, with `seed`: a fresh one the
    /// console picks at the key press, so the start's seed, which the journal already
    /// holds, cannot tell anyone the moment to draw early for the winners they want.
    DrawGiveaway { seed: Seed },
    /// Pin a product on the stream (`None` unpins).
    PinProduct {
        #[serde(default)]
        sku: Option<String>,
    },
    /// Change a product's count on hand by hand, saying why:
    /// `{"sku": "MUG", "add": 3, "reason": "found a box"}` (or `remove`, `set`).
    AdjustStock {
        sku: String,
        #[serde(flatten)]
        change: Adjust,
        #[serde(default)]
        reason: String,
    },
    /// Confirm a held claim: its units are sold to the claimer.
    ConfirmClaim { id: u64 },
    /// Reject a held or waiting claim: its units go to the next in line.
    RejectClaim { id: u64 },
    /// Close a product's waitlist (`open: false`) or open it again: while it is closed, a
    /// claim holds what is left and the rest is turned away instead of waiting. Those already
    /// in line keep their place. `{"sku": "MUG", "open": false}`.
    Waitlist { sku: String, open: bool },
    /// Send the reply the pre-send check held, as it was held: the operator read its
    /// reasons and says it may go.
    SendHeld {},
    /// Drop the reply the pre-send check held: nothing is sent.
    DropHeld {},
    /// Move the run of show onto its next cue (the first, before it begins). `seed` is the
    /// draw's when that cue starts its giveaway (`start = true`): picked by the console, so
    /// the journal holds it and a replay draws the same.
    NextCue {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<Seed>,
    },
    /// Move the run of show back to the cue before.
    PreviousCue {},
    /// Write the operator's note and tags on a viewer, kept across streams (empty ones
    /// clear them): `{"user_id": "u7", "note": "sizes run small", "tags": ["VIP"]}`.
    NoteViewer {
        user_id: String,
        #[serde(default)]
        note: String,
        #[serde(default)]
        tags: Vec<String>,
    },
}

fn thirty() -> u32 {
    30
}

impl Action {
    /// Whether the desk still takes it once the stream has ended: counting the shelf, noting
    /// a viewer, fixing a tag or dropping a held reply is its own business; anything else
    /// would be sent.
    pub fn after_the_stream(&self) -> bool {
        matches!(
            self,
            Action::AdjustStock { .. }
                | Action::NoteViewer { .. }
                | Action::Retag { .. }
                | Action::DropHeld {}
        )
    }

    /// Parses a script line's `operator` name and `args` object.
    pub fn from_script(name: &str, args: Option<serde_json::Value>) -> Result<Action, String> {
        let args = args.unwrap_or_else(|| serde_json::json!({}));
        serde_json::from_value(serde_json::json!({ "operator": name, "args": args }))
            .map_err(|e| format!("operator action {name:?}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_as_script_lines() {
        let a = Action::SendReply { key: "1".into(), to: Some("m9".into()) };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v, serde_json::json!({"operator": "send_reply", "args": {"key": "1", "to": "m9"}}));
        assert_eq!(Action::from_script("send_reply", Some(v["args"].clone())).unwrap(), a);
        assert_eq!(Action::from_script("end_sale", None).unwrap(), Action::EndSale { id: None });
        assert_eq!(
            Action::from_script("extend_sale", None).unwrap(),
            Action::ExtendSale { id: None, seconds: 30 }
        );
        let pause = Action::PauseSale { id: Some("almond-rush".into()) };
        let v = serde_json::to_value(&pause).unwrap();
        assert_eq!(v, serde_json::json!({"operator": "pause_sale", "args": {"id": "almond-rush"}}));
        assert_eq!(Action::from_script("pause_sale", Some(v["args"].clone())).unwrap(), pause);
        assert_eq!(Action::from_script("resume_sale", None).unwrap(), Action::ResumeSale { id: None });
        assert_eq!(
            serde_json::to_value(Action::EndSale { id: None }).unwrap(),
            serde_json::json!({"operator": "end_sale", "args": {}})
        );
        assert!(Action::from_script("launch_rocket", None).is_err());
    }

    #[test]
    fn stock_adjusts_and_claim_decisions_read_as_script_lines() {
        let a =
            Action::AdjustStock { sku: "MUG".into(), change: Adjust::Add(3), reason: "found a box".into() };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"operator": "adjust_stock", "args": {"sku": "MUG", "add": 3, "reason": "found a box"}})
        );
        assert_eq!(Action::from_script("adjust_stock", Some(v["args"].clone())).unwrap(), a);
        let set = serde_json::json!({"sku": "MUG", "set": 10});
        assert_eq!(
            Action::from_script("adjust_stock", Some(set)).unwrap(),
            Action::AdjustStock { sku: "MUG".into(), change: Adjust::Set(10), reason: String::new() }
        );
        assert!(Action::from_script("adjust_stock", Some(serde_json::json!({"sku": "MUG"}))).is_err());
        assert!(
            Action::from_script("adjust_stock", Some(serde_json::json!({"sku": "MUG", "add": -1}))).is_err()
        );
        let c = serde_json::json!({"id": 7});
        assert_eq!(
            Action::from_script("confirm_claim", Some(c.clone())).unwrap(),
            Action::ConfirmClaim { id: 7 }
        );
        assert_eq!(Action::from_script("reject_claim", Some(c)).unwrap(), Action::RejectClaim { id: 7 });
        let w = Action::Waitlist { sku: "MUG".into(), open: false };
        let v = serde_json::to_value(&w).unwrap();
        assert_eq!(v, serde_json::json!({"operator": "waitlist", "args": {"sku": "MUG", "open": false}}));
        assert_eq!(Action::from_script("waitlist", Some(v["args"].clone())).unwrap(), w);
        let h = serde_json::json!({"msg_id": "m9"});
        assert_eq!(
            Action::from_script("mark_handled", Some(h)).unwrap(),
            Action::MarkHandled { msg_id: "m9".into() }
        );
    }

    #[test]
    fn moderation_actions_have_script_names() {
        let m = serde_json::json!({"msg_id": "m9"});
        assert_eq!(
            Action::from_script("delete_message", Some(m.clone())).unwrap(),
            Action::DeleteMessage { msg_id: "m9".into() }
        );
        assert_eq!(
            Action::from_script("pin_message", Some(m)).unwrap(),
            Action::PinMessage { msg_id: "m9".into() }
        );
        let mute = Action::from_script("mute_viewer", Some(serde_json::json!({"user_id": "u1"}))).unwrap();
        assert_eq!(mute, Action::MuteViewer { user_id: "u1".into(), name: None, seconds: None });
        let full = Action::MuteViewer { user_id: "u1".into(), name: Some("Ann".into()), seconds: Some(60) };
        let v = serde_json::to_value(&full).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"operator": "mute_viewer", "args": {"user_id": "u1", "name": "Ann", "seconds": 60}})
        );
        assert!(Action::from_script("mute_viewer", None).is_err(), "a mute names its viewer");
    }

    #[test]
    fn sending_or_dropping_a_held_reply_reads_as_a_script_line() {
        let send = serde_json::to_value(Action::SendHeld {}).unwrap();
        assert_eq!(send, serde_json::json!({"operator": "send_held", "args": {}}));
        assert_eq!(Action::from_script("send_held", None).unwrap(), Action::SendHeld {});
        assert_eq!(
            Action::from_script("drop_held", Some(serde_json::json!({}))).unwrap(),
            Action::DropHeld {}
        );
        let back: Action =
            serde_json::from_value(serde_json::json!({"operator": "drop_held", "args": {}})).unwrap();
        assert_eq!(back, Action::DropHeld {});
    }

    #[test]
    fn the_show_steps_read_as_script_lines() {
        let next = serde_json::to_value(Action::NextCue { seed: None }).unwrap();
        assert_eq!(next, serde_json::json!({"operator": "next_cue", "args": {}}));
        assert_eq!(Action::from_script("next_cue", None).unwrap(), Action::NextCue { seed: None });
        assert_eq!(Action::from_script("previous_cue", None).unwrap(), Action::PreviousCue {});
        let seeded = Action::NextCue { seed: Some(Seed(42)) };
        let v = serde_json::to_value(&seeded).unwrap();
        assert_eq!(v, serde_json::json!({"operator": "next_cue", "args": {"seed": "000000000000002a"}}));
        assert_eq!(Action::from_script("next_cue", Some(v["args"].clone())).unwrap(), seeded);
    }

    #[test]
    fn a_viewer_note_reads_as_a_script_line() {
        let a = Action::NoteViewer {
            user_id: "u7".into(),
            note: "sizes run small".into(),
            tags: vec!["VIP".into()],
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"operator": "note_viewer", "args": {"user_id": "u7", "note": "sizes run small", "tags": ["VIP"]}})
        );
        assert_eq!(Action::from_script("note_viewer", Some(v["args"].clone())).unwrap(), a);
        let bare = serde_json::json!({"user_id": "u7"});
        assert_eq!(
            Action::from_script("note_viewer", Some(bare)).unwrap(),
            Action::NoteViewer { user_id: "u7".into(), note: String::new(), tags: vec![] }
        );
        assert!(Action::from_script("note_viewer", None).is_err(), "a note needs its viewer");
    }

    #[test]
    fn a_giveaway_start_carries_its_seed_as_hex_in_its_script_line() {
        let a = Action::StartGiveaway { id: Some("glue-kit".into()), seed: Seed(0xfeed_beef_0000_0001) };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"operator": "start_giveaway", "args": {"id": "glue-kit", "seed": "feedbeef00000001"}})
        );
        assert_eq!(Action::from_script("start_giveaway", Some(v["args"].clone())).unwrap(), a);
        let next = Action::from_script("start_giveaway", Some(serde_json::json!({"seed": "2a"}))).unwrap();
        assert_eq!(next, Action::StartGiveaway { id: None, seed: Seed(42) });
        assert!(Action::from_script("start_giveaway", None).is_err(), "a start carries its seed");
        let early = Action::from_script("draw_giveaway", Some(serde_json::json!({"seed": "07"}))).unwrap();
        assert_eq!(early, Action::DrawGiveaway { seed: Seed(7) });
        assert!(Action::from_script("draw_giveaway", None).is_err(), "an early draw carries its own seed");
    }
}
