//! Client commands: what each one does on the platform, and the ref → answer map that makes
//! a resent command (same `ref`) harmless.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

use crate::protocol::sanitize::{MAX_KIND_CHARS, MAX_NAME_CHARS, clean};
use crate::protocol::{Command, DecodeError, Event, ModAction, SaleAction, User};

use super::stream::LiveStream;

/// Answers remembered for repeated refs; the oldest are forgotten past this.
const REFS_KEPT: usize = 100_000;
/// Longest `ref` accepted: refs are remembered, so they must stay small.
const MAX_REF_CHARS: usize = 256;
const KNOWN_COMMANDS: &[&str] =
    &["hello", "send_chat", "pin_chat", "delete_chat", "mute_user", "pin_product", "flash_sale"];

/// The answer to one command, as its `ack` says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Answer {
    pub ok: bool,
    pub error: Option<String>,
}

impl Answer {
    fn ok() -> Self {
        Answer { ok: true, error: None }
    }

    fn refused(error: impl Into<String>) -> Self {
        Answer { ok: false, error: Some(error.into()) }
    }
}

/// What the session sends back for one client frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Reply {
    /// Nothing (a second `hello`).
    Nothing,
    Ack {
        reference: String,
        answer: Answer,
    },
    /// The frame could not be understood at all.
    Error {
        code: &'static str,
        message: String,
    },
}

struct Inner {
    answers: HashMap<String, Answer>,
    order: VecDeque<String>,
    next_msg: u64,
}

/// Command handling shared by every connection (a ref is the same command on any of them).
pub(super) struct Commands {
    inner: Mutex<Inner>,
    /// The shop's own user, author of the chat the operator sends.
    shop: User,
}

impl Commands {
    pub fn new(stream_title: &str) -> Self {
        let name = if stream_title.trim().is_empty() { "Shop" } else { stream_title };
        let shop = User {
            id: "shop".into(),
            name: name.into(),
            region: None,
            badges: vec!["operator".into()],
            follower: false,
        };
        let inner = Inner { answers: HashMap::new(), order: VecDeque::new(), next_msg: 1 };
        Commands { inner: Mutex::new(inner), shop }
    }

    /// Handles one text frame from a client that already said hello.
    pub fn handle(&self, text: &str, live: &LiveStream) -> Reply {
        let command = match Command::decode(text) {
            Ok(Command::Hello { .. }) => return Reply::Nothing,
            Ok(command) => command,
            Err(e) => return undecodable(text, e),
        };
        let Some(reference) = command.reference().map(str::to_owned) else {
            return Reply::Nothing;
        };
        if reference.chars().count() > MAX_REF_CHARS {
            return Reply::Error {
                code: "bad_command",
                message: format!("ref is longer than {MAX_REF_CHARS} characters"),
            };
        }
        // The lock is held while the command runs, so the same ref sent twice at once (two
        // connections) still runs once.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(answer) = inner.answers.get(&reference) {
            return Reply::Ack { reference, answer: answer.clone() };
        }
        let answer = self.execute(command, live, &mut inner);
        if inner.order.len() == REFS_KEPT
            && let Some(old) = inner.order.pop_front()
        {
            inner.answers.remove(&old);
        }
        inner.order.push_back(reference.clone());
        inner.answers.insert(reference.clone(), answer.clone());
        Reply::Ack { reference, answer }
    }

    fn execute(&self, command: Command, live: &LiveStream, inner: &mut Inner) -> Answer {
        let by = || Some("operator".to_owned());
        match command {
            Command::Hello { .. } => Answer::ok(),
            Command::SendChat { text, reply_to, .. } => {
                if text.trim().is_empty() {
                    return Answer::refused("text is empty");
                }
                let msg_id = format!("op-{}", inner.next_msg);
                inner.next_msg += 1;
                let reply_to = reply_to.map(|mut r| {
                    clean(&mut r, MAX_NAME_CHARS);
                    r
                });
                live.emit(Event::Chat { msg_id, user: self.shop.clone(), text, reply_to });
                Answer::ok()
            }
            Command::DeleteChat { mut msg_id, .. } => {
                clean(&mut msg_id, MAX_NAME_CHARS);
                let event = Event::Moderation {
                    action: ModAction::Deleted,
                    msg_id: Some(msg_id),
                    user_id: None,
                    by: by(),
                };
                live.emit(event);
                Answer::ok()
            }
            Command::MuteUser { mut user_id, .. } => {
                clean(&mut user_id, MAX_NAME_CHARS);
                let event = Event::Moderation {
                    action: ModAction::Muted,
                    msg_id: None,
                    user_id: Some(user_id),
                    by: by(),
                };
                live.emit(event);
                Answer::ok()
            }
            Command::PinChat { .. } | Command::PinProduct { .. } => Answer::ok(),
            Command::FlashSale { action: SaleAction::End, .. } => Answer::ok(),
            Command::FlashSale { action: SaleAction::Start, sku, price, quantity, seconds, .. } => {
                let missing: Vec<&str> = [
                    ("sku", sku.as_deref().is_none_or(|s| s.trim().is_empty())),
                    ("price", price.is_none()),
                    ("quantity", quantity.is_none()),
                    ("seconds", seconds.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, absent)| absent.then_some(name))
                .collect();
                if !missing.is_empty() {
                    return Answer::refused(format!("flash_sale start is missing {}", missing.join(", ")));
                }
                if price.is_some_and(|p| p.is_sign_negative()) {
                    return Answer::refused("price must not be negative");
                }
                if quantity == Some(0) {
                    return Answer::refused("quantity must be at least 1");
                }
                if seconds == Some(0) {
                    return Answer::refused("seconds must be at least 1");
                }
                Answer::ok()
            }
        }
    }
}

/// A frame `Command::decode` refused: a known command with a ref and bad fields is acked
/// `ok: false` (the client is waiting on that ref); anything else gets an `error` frame.
fn undecodable(text: &str, e: DecodeError) -> Reply {
    let reason = match e {
        DecodeError::Malformed { reason, .. } => reason,
        other => other.to_string(),
    };
    let bad = |message: String| Reply::Error { code: "bad_command", message };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return bad(format!("frame is not valid JSON: {reason}"));
    };
    let Some(kind) = value.get("type").and_then(Value::as_str) else {
        return bad("frame has no \"type\"".into());
    };
    if !KNOWN_COMMANDS.contains(&kind) {
        let kind = crate::protocol::sanitize::sanitize(kind, MAX_KIND_CHARS);
        return bad(format!("unknown command type {kind:?}; known: {}", KNOWN_COMMANDS.join(", ")));
    }
    match value.get("ref").and_then(Value::as_str) {
        Some(reference) if kind != "hello" && reference.chars().count() <= MAX_REF_CHARS => Reply::Ack {
            reference: reference.to_owned(),
            answer: Answer::refused(format!("bad {kind}: {reason}")),
        },
        _ => bad(format!("bad {kind}: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(reply: &Reply) -> (&str, bool, Option<&str>) {
        match reply {
            Reply::Ack { reference, answer } => (reference, answer.ok, answer.error.as_deref()),
            other => panic!("expected an ack, got {other:?}"),
        }
    }

    #[test]
    fn a_repeated_ref_is_answered_again_without_running_twice() {
        let live = LiveStream::new(10, 16);
        let cmds = Commands::new("");
        let frame = r#"{"type":"send_chat","ref":"r1","text":"Hello!","reply_to":"m7"}"#;
        let first = cmds.handle(frame, &live);
        assert_eq!(ack(&first), ("r1", true, None));
        assert_eq!(cmds.handle(frame, &live), first);
        assert_eq!(live.head(), 1, "echoed once");
        let sub = live.subscribe(Some(0));
        let backlog = sub.backlog.unwrap();
        let frame = crate::protocol::decode_frame(&backlog[0].1).unwrap();
        let Event::Chat { msg_id, user, reply_to, .. } = frame.event else { panic!() };
        assert_eq!((msg_id.as_str(), reply_to.as_deref()), ("op-1", Some("m7")));
        assert_eq!(
            (user.id.as_str(), user.name.as_str(), user.badges),
            ("shop", "Shop", vec!["operator".to_owned()])
        );
    }

    #[test]
    fn flash_sale_start_says_what_is_missing() {
        let live = LiveStream::new(10, 16);
        let cmds = Commands::new("Mugs live");
        let r = cmds
            .handle(r#"{"type":"flash_sale","ref":"f1","action":"start","sku":"MUG","seconds":60}"#, &live);
        assert_eq!(ack(&r), ("f1", false, Some("flash_sale start is missing price, quantity")));
        let r = cmds.handle(
            r#"{"type":"flash_sale","ref":"f2","action":"start","sku":"MUG","price":"9.99","quantity":0,"seconds":60}"#,
            &live,
        );
        assert_eq!(ack(&r), ("f2", false, Some("quantity must be at least 1")));
        let r = cmds.handle(
            r#"{"type":"flash_sale","ref":"f3","action":"start","sku":"MUG","price":"9.99","quantity":5,"seconds":60}"#,
            &live,
        );
        assert_eq!(ack(&r), ("f3", true, None));
        let r = cmds.handle(r#"{"type":"flash_sale","ref":"f4","action":"end"}"#, &live);
        assert_eq!(ack(&r), ("f4", true, None));
        assert_eq!(live.head(), 0, "sales emit nothing");
    }

    #[test]
    fn moderation_commands_emit_moderation_events() {
        let live = LiveStream::new(10, 16);
        let cmds = Commands::new("");
        assert!(ack(&cmds.handle(r#"{"type":"delete_chat","ref":"d1","msg_id":"m3"}"#, &live)).1);
        assert!(ack(&cmds.handle(r#"{"type":"mute_user","ref":"u1","user_id":"u9","seconds":60}"#, &live)).1);
        assert!(ack(&cmds.handle(r#"{"type":"pin_chat","ref":"p1","msg_id":"m3"}"#, &live)).1);
        assert!(ack(&cmds.handle(r#"{"type":"pin_product","ref":"p2","sku":null}"#, &live)).1);
        let backlog = live.subscribe(Some(0)).backlog.unwrap();
        let events: Vec<Event> =
            backlog.iter().map(|(_, t)| crate::protocol::decode_frame(t).unwrap().event).collect();
        assert_eq!(
            events,
            vec![
                Event::Moderation {
                    action: ModAction::Deleted,
                    msg_id: Some("m3".into()),
                    user_id: None,
                    by: Some("operator".into())
                },
                Event::Moderation {
                    action: ModAction::Muted,
                    msg_id: None,
                    user_id: Some("u9".into()),
                    by: Some("operator".into())
                },
            ]
        );
    }

    #[test]
    fn frames_that_cannot_be_read_get_an_error_or_a_refusal() {
        let live = LiveStream::new(10, 16);
        let cmds = Commands::new("");
        for (frame, needle) in [
            ("{not json", "not valid JSON"),
            (r#"{"ref":"x"}"#, "no \"type\""),
            (r#"{"type":"launch","ref":"x"}"#, "unknown command type \"launch\""),
            (r#"{"type":"pin_chat","msg_id":"m1"}"#, "bad pin_chat"),
        ] {
            match cmds.handle(frame, &live) {
                Reply::Error { code, message } => {
                    assert_eq!(code, "bad_command");
                    assert!(message.contains(needle), "{frame}: {message}");
                }
                other => panic!("{frame}: {other:?}"),
            }
        }
        let r = cmds.handle(r#"{"type":"mute_user","ref":"m1","user_id":"u1"}"#, &live);
        let (reference, ok, error) = ack(&r);
        assert_eq!((reference, ok), ("m1", false));
        assert!(error.unwrap().contains("seconds"), "{error:?}");
        assert_eq!(
            cmds.handle(r#"{"type":"hello","client":"x","resume_after":null}"#, &live),
            Reply::Nothing
        );
    }
}
