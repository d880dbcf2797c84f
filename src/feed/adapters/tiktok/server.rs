//! TikTokLive-Server, the hosted relay of TikTokLive (the Python client).
//!
//! Its room (`api/app/core/tiktok/room.py`) forwards every TikTokLive event to each client as
//! `{"type": "tiktok_event", "name": CLASS, "data": {...}, "unique_id": STREAMER}`, the data
//! being the event's protobuf message as betterproto writes it in snake case (64-bit integers
//! as strings, enums by name, default values left out). The room itself speaks in
//! `{"type": "room_event", "name": "join" | "leave" | "end"}`; `end` says the relay stopped
//! reading the stream.
//!
//! The relay forwards both an event and the client's own reading of it: `SocialEvent` and
//! `FollowEvent` for one follow, `ControlEvent` and `LiveEndEvent` for one end. They carry
//! the same message, and the adapter tells the twins apart as it does the connector's.

use serde_json::{Map, Value};

/// A relay frame as the connector's `(event name, data)`, its keys in the connector's camel
/// case, so one reader serves both relays.
pub(super) fn unwrap(
    kind: &str,
    mut frame: Map<String, Value>,
) -> Result<(String, Map<String, Value>), String> {
    let name = match frame.get("name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => return Err(format!("the `{kind}` frame has no `name`")),
    };
    match kind {
        "tiktok_event" => {
            let data = match frame.remove("data").map(camel_keys) {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(data)) => data,
                Some(_) => return Err(format!("`{name}` has data that is not a JSON object")),
            };
            let event = connector_name(&name).map_or(name, str::to_owned);
            Ok((event, data))
        }
        "room_event" => match name.as_str() {
            "end" => Ok(("streamEnd".into(), Map::new())),
            // The relay's hello and goodbye: nothing happened on the stream.
            "join" | "leave" => Ok((RELAY_ROOM.into(), Map::new())),
            _ => Ok((name, Map::new())),
        },
        _ => Ok((kind.to_owned(), Map::new())),
    }
}

/// The event name the relay's own room news is read under.
pub(super) const RELAY_ROOM: &str = "relayRoom";

/// The connector's event name for a TikTokLive event class, for the classes the desk reads.
fn connector_name(class: &str) -> Option<&'static str> {
    Some(match class {
        "CommentEvent" => "chat",
        "JoinEvent" => "member",
        "LikeEvent" => "like",
        "RoomUserSeqEvent" => "roomUser",
        "SocialEvent" => "social",
        "FollowEvent" => "follow",
        "ShareEvent" => "share",
        "GiftEvent" => "gift",
        "QuestionNewEvent" => "questionNew",
        "ImDeleteEvent" => "imDelete",
        "ControlEvent" | "LivePauseEvent" | "LiveUnpauseEvent" => "controlMessage",
        "LiveEndEvent" => "streamEnd",
        "EmoteChatEvent" => "emote",
        "EnvelopeEvent" => "envelope",
        "SubscribeEvent" => "subscribe",
        "RoomPinEvent" => "roomPin",
        "OecLiveShoppingEvent" => "oecLiveShopping",
        _ => return None,
    })
}

/// `snake_case` object keys, at every depth, as `camelCase`.
fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (camel(&k), camel_keys(v))).collect())
        }
        Value::Array(list) => Value::Array(list.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn snake_keys_become_the_connectors_camel_keys_at_every_depth() {
        let data = json!({"delete_msg_ids_list": ["1"], "common": {"msg_id": "7", "display_text": {"key": "x"}},
            "emote_list": [{"emote_id": "e"}], "_private": 1, "plain": "a_b"});
        let want = json!({"deleteMsgIdsList": ["1"], "common": {"msgId": "7", "displayText": {"key": "x"}},
            "emoteList": [{"emoteId": "e"}], "_private": 1, "plain": "a_b"});
        assert_eq!(camel_keys(data), want);
    }

    #[test]
    fn relay_frames_unwrap_to_the_connectors_names() {
        let frame = |v: Value| v.as_object().cloned().unwrap();
        let comment = frame(
            json!({"type": "tiktok_event", "name": "CommentEvent", "data": {"content": "hi"}, "unique_id": "s"}),
        );
        let (name, data) = unwrap("tiktok_event", comment).unwrap();
        assert_eq!((name.as_str(), &data["content"]), ("chat", &json!("hi")));
        // A class the desk does not read keeps its own name, to be counted as unknown.
        let other = frame(json!({"type": "tiktok_event", "name": "WebsocketResponseEvent", "data": {}}));
        assert_eq!(unwrap("tiktok_event", other).unwrap().0, "WebsocketResponseEvent");
        let end = frame(json!({"type": "room_event", "name": "end", "unique_id": "s", "data": {}}));
        assert_eq!(unwrap("room_event", end).unwrap().0, "streamEnd");
        let join = frame(json!({"type": "room_event", "name": "join", "unique_id": "s", "data": {}}));
        assert_eq!(unwrap("room_event", join).unwrap().0, RELAY_ROOM);
        let bad = frame(json!({"type": "tiktok_event", "name": "GiftEvent", "data": [1]}));
        assert_eq!(unwrap("tiktok_event", bad), Err("`GiftEvent` has data that is not a JSON object".into()));
        let nameless = frame(json!({"type": "tiktok_event", "data": {}}));
        assert_eq!(unwrap("tiktok_event", nameless), Err("the `tiktok_event` frame has no `name`".into()));
    }
}
