//! Lines marked "IRC Tags" are examples from Twitch's "Twitch IRC Tags" reference
//! (https://dev.twitch.tv/docs/irc/tags/); "IRC Commands" from "Twitch-specific IRC Commands"
//! (https://dev.twitch.tv/docs/irc/commands/); "Authenticating" from "Authenticating with the
//! Twitch IRC Server" (https://dev.twitch.tv/docs/irc/authenticate-bot/); "Membership" from
//! "Channel Membership" (https://dev.twitch.tv/docs/irc/membership/); "IRC Concepts" from
//! https://dev.twitch.tv/docs/chat/irc/. Lines marked "livedesk" are written in the documented
//! shape where the docs give no example.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::feed::window::SendWindow;
use crate::protocol::SaleAction;

// IRC Tags: PRIVMSG.
const PRIVMSG: &str = "@badge-info=;badges=broadcaster/1;client-nonce=997dcf443c31e258c1d32a8da47b6936;color=#0000FF;display-name=abc;emotes=;first-msg=0;flags=0-6:S.7;id=eb24e920-8065-492a-8aea-266a00fc5126;mod=0;room-id=713936733;subscriber=0;tmi-sent-ts=1642786203573;turbo=0;user-id=713936733;user-type= :abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys";
// IRC Tags: PRIVMSG, "ronni cheered 100 Bits".
const CHEER: &str = "@badge-info=;badges=staff/1,bits/1000;bits=100;color=;display-name=ronni;emotes=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=0;room-id=12345678;subscriber=0;tmi-sent-ts=1507246572675;turbo=1;user-id=12345678;user-type=staff :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :cheer100";
// IRC Tags: PRIVMSG from a VIP (the docs give the tags; prefix and text added).
const VIP: &str = "@badge-info=;badges=vip/1,partner/1;client-nonce=cd15335a5e2059c3b087e22612de485e;color=;display-name=fun2bfun;emotes=;first-msg=0;flags=;id=1fd20412-965f-4c96-beb3-52266448f564;mod=0;returning-chatter=0;room-id=102336968;subscriber=0;tmi-sent-ts=1661372052425;turbo=0;user-id=12345678;user-type=;vip=1 :fun2bfun!fun2bfun@fun2bfun.tmi.twitch.tv PRIVMSG #bar :hello";
// IRC Tags: PRIVMSG, a Hype Chat of 2 USD (the docs give the tags; prefix and text added).
const HYPE_CHAT: &str = "@badge-info=;badges=glhf-pledge/1;color=;emotes=;first-msg=0;flags=;id=f6fb34f8-562f-4b4d-b628-32113d0ef4b0;mod=0;pinned-chat-paid-amount=200;pinned-chat-paid-canonical-amount=200;pinned-chat-paid-currency=USD;pinned-chat-paid-exponent=2;pinned-chat-paid-is-system-message=0;pinned-chat-paid-level=ONE;returning-chatter=0;room-id=12345678;subscriber=0;tmi-sent-ts=1687471984306;turbo=0;user-id=12345678;user-type= :glhf!glhf@glhf.tmi.twitch.tv PRIVMSG #bar :hype!";
// IRC Tags: CLEARMSG.
const CLEARMSG: &str = "@login=foo;room-id=;target-msg-id=94e6c7ff-bf98-4faa-af5d-7ad633a158a9;tmi-sent-ts=1642720582342 :tmi.twitch.tv CLEARMSG #bar :what a great day";
// IRC Tags: CLEARCHAT, "dallas permanently banned ronni".
const BAN: &str = "@room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642715756806 :tmi.twitch.tv CLEARCHAT #dallas :ronni";
// IRC Tags: CLEARCHAT, "dallas removed all messages from the chat room".
const CLEAR_ALL: &str = "@room-id=12345678;tmi-sent-ts=1642715695392 :tmi.twitch.tv CLEARCHAT #dallas";
// IRC Tags: CLEARCHAT, "dallas put ronni in a timeout".
const TIMEOUT: &str = "@ban-duration=350;room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642719320727 :tmi.twitch.tv CLEARCHAT #dallas :ronni";
// IRC Tags: USERNOTICE, resub.
const RESUB: &str = "@badge-info=;badges=staff/1,broadcaster/1,turbo/1;color=#008000;display-name=ronni;emotes=;id=db25007f-7a18-43eb-9379-80131e44d633;login=ronni;mod=0;msg-id=resub;msg-param-cumulative-months=6;msg-param-streak-months=2;msg-param-should-share-streak=1;msg-param-sub-plan=Prime;msg-param-sub-plan-name=Prime;room-id=12345678;subscriber=1;system-msg=ronni\\shas\\ssubscribed\\sfor\\s6\\smonths!;tmi-sent-ts=1507246572675;turbo=1;user-id=87654321;user-type=staff :tmi.twitch.tv USERNOTICE #dallas :Great stream -- keep it up!";
// IRC Tags: USERNOTICE, subgift.
const SUBGIFT: &str = "@badge-info=;badges=staff/1,premium/1;color=#0000FF;display-name=TWW2;emotes=;id=e9176cd8-5e22-4684-ad40-ce53c2561c5e;login=tww2;mod=0;msg-id=subgift;msg-param-months=1;msg-param-recipient-display-name=Mr_Woodchuck;msg-param-recipient-id=55554444;msg-param-recipient-name=mr_woodchuck;msg-param-sub-plan-name=House\\sof\\sNyoro~n;msg-param-sub-plan=1000;room-id=12345678;subscriber=0;system-msg=TWW2\\sgifted\\sa\\sTier\\s1\\ssub\\sto\\sMr_Woodchuck!;tmi-sent-ts=1521159445153;turbo=0;user-id=87654321;user-type=staff :tmi.twitch.tv USERNOTICE #forstycup";
// IRC Tags: USERNOTICE, raid.
const RAID: &str = "@badge-info=;badges=turbo/1;color=#9ACD32;display-name=TestChannel;emotes=;id=3d830f12-795c-447d-af3c-ea05e40fbddb;login=testchannel;mod=0;msg-id=raid;msg-param-displayName=TestChannel;msg-param-login=testchannel;msg-param-viewerCount=15;room-id=33332222;subscriber=0;system-msg=15\\sraiders\\sfrom\\sTestChannel\\shave\\sjoined\\n!;tmi-sent-ts=1507246572675;turbo=1;user-id=123456;user-type= :tmi.twitch.tv USERNOTICE #othertestchannel";
// IRC Tags: USERNOTICE, new_chatter ritual.
const RITUAL: &str = "@badge-info=;badges=;color=;display-name=SevenTest1;emotes=30259:0-6;id=37feed0f-b9c7-4c3a-b475-21c6c6d21c3d;login=seventest1;mod=0;msg-id=ritual;msg-param-ritual-name=new_chatter;room-id=87654321;subscriber=0;system-msg=Seventoes\\sis\\snew\\shere!;tmi-sent-ts=1508363903826;turbo=0;user-id=77776666;user-type= :tmi.twitch.tv USERNOTICE #seventoes :HeyGuys";
// IRC Tags: USERSTATE (a moderator's).
const USERSTATE_MOD: &str = "@badge-info=;badges=staff/1;color=#0D4200;display-name=ronni;emote-sets=0,33,50,237,793,2126,3517,4578,5569,9400,10337,12239;mod=1;subscriber=1;turbo=1;user-type=staff :tmi.twitch.tv USERSTATE #dallas";
// IRC Tags: GLOBALUSERSTATE, and ROOMSTATE.
const GLOBALUSERSTATE: &str = "@badge-info=subscriber/8;badges=subscriber/6;color=#0D4200;display-name=dallas;emote-sets=0,33,50,237,793,2126,3517,4578,5569,9400,10337,12239;turbo=0;user-id=12345678;user-type=admin :tmi.twitch.tv GLOBALUSERSTATE";
const ROOMSTATE: &str =
    "@emote-only=0;followers-only=0;r9k=0;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #dallas";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn anon() -> Twitch {
    Twitch::new("dallas".into(), None)
}

fn bot() -> Twitch {
    Twitch::new("#Dallas".into(), Some(("MyBot".into(), "oauth:s3cr3tt0k3n".into())))
}

fn read(line: &str) -> Reading {
    anon().read(line, now())
}

fn user(id: &str, name: &str, badges: &[&str]) -> User {
    User {
        id: id.into(),
        name: name.into(),
        region: None,
        badges: badges.iter().map(|b| b.to_string()).collect(),
        follower: false,
    }
}

fn gift(name: &str, value: Decimal, currency: &str) -> Gift {
    Gift { name: name.into(), value, currency: currency.into() }
}

fn send(text: &str, reply_to: Option<&str>) -> Command {
    Command::SendChat { reference: "r1".into(), text: text.into(), reply_to: reply_to.map(Into::into) }
}

// ---- the line parser ----

#[test]
fn a_line_splits_into_tags_prefix_command_and_params() {
    let line = parse_line(PRIVMSG).unwrap();
    assert_eq!(line.tag("display-name").as_deref(), Some("abc"));
    assert_eq!(line.tag("flags").as_deref(), Some("0-6:S.7"));
    assert_eq!(line.tag("badge-info").as_deref(), Some(""), "a tag with an empty value");
    assert_eq!(line.tag("nope"), None);
    assert_eq!(line.tags().count(), 16);
    assert_eq!(line.prefix, Some("abc!abc@abc.tmi.twitch.tv"));
    assert_eq!(line.nick(), Some("abc"));
    assert_eq!(line.command, "PRIVMSG");
    assert_eq!(line.params, ["#xyz", "HeyGuys"]);

    let bare = parse_line("PING :tmi.twitch.tv").unwrap();
    assert_eq!((bare.prefix, bare.command, bare.params), (None, "PING", vec!["tmi.twitch.tv"]));
    let numeric = parse_line(":tmi.twitch.tv 001 justinfan123 :Welcome, GLHF!").unwrap();
    assert_eq!((numeric.nick(), numeric.command), (Some("tmi.twitch.tv"), "001"));
    assert_eq!(numeric.params, ["justinfan123", "Welcome, GLHF!"]);
}

#[test]
fn tag_values_are_unescaped() {
    // IRCv3 message tags: \: is ';', \s a space, \\ a backslash, \r and \n CR and LF; any
    // other escaped character is itself, and a lone backslash at the end goes.
    let line = parse_line(
        r"@system-msg=15\sraiders\sfrom\sTestChannel\shave\sjoined\n!;a=x\:y\\z\r;b=\q;c=end\;d;e= :tmi.twitch.tv USERNOTICE #c",
    )
    .unwrap();
    assert_eq!(line.tag("system-msg").as_deref(), Some("15 raiders from TestChannel have joined\n!"));
    assert_eq!(line.tag("a").as_deref(), Some("x;y\\z\r"));
    assert_eq!(line.tag("b").as_deref(), Some("q"));
    assert_eq!(line.tag("c").as_deref(), Some("end"));
    assert_eq!(line.tag("d").as_deref(), Some(""), "a tag without `=`");
    assert_eq!(line.tag("e").as_deref(), Some(""));
    // Escaping what we write round-trips.
    let odd = "a b;c\\d\r\ne🙂";
    let written = format!("@k={} PING", escape_tag(odd));
    assert_eq!(parse_line(&written).unwrap().tag("k").as_deref(), Some(odd));
}

#[test]
fn a_repeated_tag_reads_as_its_last_value() {
    let line = parse_line("@tmi-sent-ts=1;tmi-sent-ts=2 :tmi.twitch.tv USERNOTICE #c").unwrap();
    assert_eq!(line.tag("tmi-sent-ts").as_deref(), Some("2"));
}

#[test]
fn the_trailing_param_keeps_colons_spaces_and_any_script() {
    let line = parse_line(":u!u@u.tmi.twitch.tv PRIVMSG  #c   :a :b  c 🔥 価格 ;\\s ").unwrap();
    assert_eq!(line.params, ["#c", "a :b  c 🔥 価格 ;\\s "]);
    let empty = parse_line(":u!u@u.tmi.twitch.tv PRIVMSG #c :").unwrap();
    assert_eq!(empty.params, ["#c", ""]);
    let multibyte = parse_line("@é=ü;🙂=🙃 :ñ!ñ@ñ PRIVMSG #ç :日本").unwrap();
    assert_eq!((multibyte.tag("🙂").as_deref(), multibyte.nick()), (Some("🙃"), Some("ñ")));
}

#[test]
fn broken_lines_are_errors_not_panics() {
    for bad in [
        "@a=b",
        "@a=b ",
        ":tmi.twitch.tv",
        ":tmi.twitch.tv   ",
        ": PING",
        "@a=b :tmi.twitch.tv",
        "PRIV-MSG #c :x",
        "🙂 #c :x",
        "@🙂",
        "\u{0}",
    ] {
        assert!(parse_line(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn one_frame_may_carry_many_lines_and_a_bad_one_spoils_only_itself() {
    let frame = format!("PING :tmi.twitch.tv\r\n{PRIVMSG}\r\n@a=b\r\n\r\n{CLEARMSG}\r\n");
    let r = read(&frame);
    assert_eq!(r.replies, ["PONG :tmi.twitch.tv"]);
    assert_eq!(r.events.len(), 2);
    assert!(matches!(r.events[0], Event::Chat { .. }));
    assert!(matches!(r.events[1], Event::Moderation { .. }));
    assert_eq!(r.malformed.as_deref(), Some("an IRC line with tags and no command"));
    // Lines ended by a bare LF are read too.
    assert_eq!(read(&format!("{PRIVMSG}\n{CHEER}\n")).events.len(), 3);
}

proptest! {
    #[test]
    fn no_text_makes_the_reader_panic(text in "\\PC*", noise in proptest::collection::vec(any::<char>(), 0..64)) {
        let mut t = anon();
        let _ = t.read(&text, now());
        let noisy: String = noise.into_iter().collect();
        let _ = t.read(&noisy, now());
        let _ = t.read(&format!("@{noisy} :{noisy} PRIVMSG #c :{noisy}"), now());
        let _ = parse_line(&noisy);
    }

    #[test]
    fn written_chat_is_one_line_of_at_most_500_chars(text in "\\PC{0,700}", nl in "[\r\n]{0,3}") {
        let mut t = bot();
        if let Ok(frames) = t.write(&send(&format!("{nl}{text}{nl}{text}"), Some("id; x"))) {
            prop_assert_eq!(frames.len(), 1);
            prop_assert!(!frames[0].contains(['\r', '\n']));
            let text = frames[0].split_once(" :").unwrap().1;
            prop_assert!(text.chars().count() <= MAX_MESSAGE_CHARS);
        }
    }
}

// ---- reading: chat ----

#[test]
fn privmsg_is_chat_with_its_id_sender_and_badges() {
    let r = read(PRIVMSG);
    assert_eq!(
        r.events,
        [Event::Chat {
            msg_id: "eb24e920-8065-492a-8aea-266a00fc5126".into(),
            user: user("713936733", "abc", &["broadcaster"]),
            text: "HeyGuys".into(),
            reply_to: None,
        }]
    );
    assert_eq!((r.unknown.len(), r.malformed, r.duplicates), (0, None, 0));

    let Event::Chat { user: vip, .. } = &read(VIP).events[0] else { panic!() };
    assert_eq!(vip.badges, ["vip", "partner"]);
}

#[test]
fn a_reply_names_the_message_it_answers() {
    // livedesk, with the reply-parent-* tags that "IRC Tags" lists for PRIVMSG.
    let line = "@badge-info=;badges=moderator/1;display-name=Maria_Mod;id=7c1f9e2a-3b5d-4e8f-9a0b-1c2d3e4f5a6b;mod=1;reply-parent-display-name=fun2bfun;reply-parent-msg-body=Is\\sthe\\sblue\\sone\\sstill\\savailable?;reply-parent-msg-id=1fd20412-965f-4c96-beb3-52266448f564;reply-parent-user-id=12345678;reply-parent-user-login=fun2bfun;room-id=1;tmi-sent-ts=1661372060000;user-id=55501234;user-type=mod :maria_mod!maria_mod@maria_mod.tmi.twitch.tv PRIVMSG #bar :@fun2bfun yes, 3 left!";
    let Event::Chat { reply_to, user, text, .. } = &read(line).events[0] else { panic!() };
    assert_eq!(reply_to.as_deref(), Some("1fd20412-965f-4c96-beb3-52266448f564"));
    assert_eq!(
        (user.name.as_str(), user.badges.as_slice()),
        ("Maria_Mod", ["moderator".to_string()].as_slice())
    );
    assert_eq!(text, "@fun2bfun yes, 3 left!");
}

#[test]
fn cheered_bits_are_chat_and_a_gift() {
    let r = read(CHEER);
    let ronni = user("12345678", "ronni", &["staff", "bits"]);
    assert_eq!(
        r.events,
        [
            Event::Chat {
                msg_id: "b34ccfc7-4977-403a-8a94-33c6bac34fb8".into(),
                user: ronni.clone(),
                text: "cheer100".into(),
                reply_to: None,
            },
            Event::Gift { user: ronni, gift: gift("Bits", Decimal::from(100), "BITS"), repeat: 1 },
        ]
    );
    for event in r.events {
        crate::protocol::checked(event).unwrap();
    }
    // "bits=0" or garbage is no gift.
    assert_eq!(read(&CHEER.replace("bits=100", "bits=0")).events.len(), 1);
    assert_eq!(read(&CHEER.replace("bits=100", "bits=lots")).events.len(), 1);
}

#[test]
fn a_hype_chat_is_a_gift_in_its_currency() {
    let r = read(HYPE_CHAT);
    assert_eq!(r.events.len(), 2);
    let Event::Gift { gift: g, user, .. } = &r.events[1] else { panic!() };
    assert_eq!(g, &gift("Hype Chat", Decimal::new(200, 2), "USD"));
    assert_eq!(user.name, "glhf", "no display-name: the login");
    // An exponent no decimal can hold is no gift, and no panic.
    assert_eq!(read(&HYPE_CHAT.replace("exponent=2", "exponent=99")).events.len(), 1);
}

#[test]
fn without_tags_the_login_names_the_viewer_and_the_message_gets_an_id() {
    // IRC Tags: the same message without the tags capability.
    let mut t = anon();
    let r = t.read(":abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys\r\n", now());
    let Event::Chat { msg_id, user: u, .. } = &r.events[0] else { panic!() };
    assert_eq!(u, &user("abc", "abc", &[]));
    let r2 = t.read(":abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys\r\n", now());
    let Event::Chat { msg_id: msg_id2, .. } = &r2.events[0] else { panic!() };
    assert_ne!(msg_id, msg_id2, "two messages, two ids");
    assert_eq!(r2.duplicates, 0);
}

#[test]
fn a_me_message_reads_as_its_text() {
    let r = read(":bob!bob@bob.tmi.twitch.tv PRIVMSG #c :\u{1}ACTION waves\u{1}");
    let Event::Chat { text, .. } = &r.events[0] else { panic!() };
    assert_eq!(text, "waves");
}

#[test]
fn a_host_from_jtv_is_the_host_arriving_and_a_privmsg_to_no_channel_is_not_chat() {
    // tmi.js 1.8.5, test/events.js, "hosted": Twitch's own jtv account tells of a host.
    let hosted =
        ":jtv!~jtv@jtv.tmi.twitch.tv PRIVMSG #schmoopiie :Username is now hosting you for 11 viewers.";
    let host = User {
        id: "username".into(),
        name: "Username".into(),
        region: None,
        badges: vec![],
        follower: false,
    };
    assert_eq!(read(hosted).events, [Event::Join { user: host }]);
    let r = read(":jtv!jtv@jtv.tmi.twitch.tv PRIVMSG #schmoopiie :Exited host mode.");
    assert_eq!((r.events.len(), r.unknown), (0, vec!["PRIVMSG from jtv".to_string()]));
    // livedesk: the same notice as Twitch sent it to the broadcaster's own login, untagged.
    let to_us = read(":jtv!jtv@jtv.tmi.twitch.tv PRIVMSG dallas :Username is now hosting you.");
    assert!(matches!(&to_us.events[..], [Event::Join { user }] if user.name == "Username"), "{to_us:?}");
    // livedesk: any other message to us rather than to a channel is not the stream's chat
    // (twitch-irc-rs reads a PRIVMSG's channel from a `#` target and refuses one without).
    let r = read(":someone!someone@someone.tmi.twitch.tv PRIVMSG justinfan123 :hi");
    assert_eq!((r.events.len(), r.unknown), (0, vec!["PRIVMSG (not to a channel)".to_string()]));
}

#[test]
fn a_message_seen_twice_is_a_duplicate() {
    let mut t = anon();
    assert_eq!(t.read(CHEER, now()).events.len(), 2);
    let again = t.read(CHEER, now());
    assert_eq!((again.events.len(), again.duplicates), (0, 1));
}

#[test]
fn the_nil_id_names_no_message() {
    // tmi.js 1.8.5, test/events.js: "resub" and "subanniversary" both carry the nil UUID;
    // they are two messages, not one sent twice.
    let resub = |months: u32| {
        format!(
            "@badges=subscriber/6;display-name=Schmoopiie;id=00000000-0000-0000-0000-000000000000;login=schmoopiie;msg-id=resub;msg-param-cumulative-months={months};msg-param-sub-plan=Prime;user-id=20624989 :tmi.twitch.tv USERNOTICE #schmoopiie :Great stream -- keep it up!"
        )
    };
    let mut t = anon();
    let ids: Vec<String> = [6, 7]
        .iter()
        .flat_map(|m| t.read(&resub(*m), now()).events)
        .filter_map(|e| if let Event::Chat { msg_id, .. } = e { Some(msg_id) } else { None })
        .collect();
    assert_eq!(ids, ["twitch-local-1", "twitch-local-2"]);
}

#[test]
fn privmsg_without_text_or_sender_is_malformed() {
    assert!(read(":abc!abc@abc.tmi.twitch.tv PRIVMSG").malformed.is_some());
    assert!(read(":tmi.twitch.tv PRIVMSG #c :hi").malformed.is_some());
}

// ---- reading: moderation ----

#[test]
fn clearmsg_deletes_one_message() {
    assert_eq!(
        read(CLEARMSG).events,
        [Event::Moderation {
            action: ModAction::Deleted,
            msg_id: Some("94e6c7ff-bf98-4faa-af5d-7ad633a158a9".into()),
            user_id: None,
            by: None,
        }]
    );
    assert!(read(":tmi.twitch.tv CLEARMSG #bar :what a great day").malformed.is_some());
}

#[test]
fn clearchat_with_a_user_is_a_timeout_or_a_ban() {
    let moderation =
        |action| Event::Moderation { action, msg_id: None, user_id: Some("87654321".into()), by: None };
    assert_eq!(read(TIMEOUT).events, [moderation(ModAction::Muted)]);
    assert_eq!(read(BAN).events, [moderation(ModAction::Banned)]);
    // IRC Commands: the same without tags names the login.
    let Event::Moderation { user_id, .. } = &read(":tmi.twitch.tv CLEARCHAT #dallas :ronni").events[0] else {
        panic!()
    };
    assert_eq!(user_id.as_deref(), Some("ronni"));
}

#[test]
fn clearchat_of_the_whole_room_deletes_every_message_shown_since_the_last_clear() {
    let mut t = anon();
    t.read(PRIVMSG, now());
    t.read(&format!("{CHEER}\r\n{RESUB}"), now());
    let r = t.read(CLEAR_ALL, now());
    let deleted: Vec<&str> = r
        .events
        .iter()
        .map(|e| match e {
            Event::Moderation { action: ModAction::Deleted, msg_id: Some(id), user_id: None, .. } => {
                id.as_str()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        deleted,
        [
            "eb24e920-8065-492a-8aea-266a00fc5126",
            "b34ccfc7-4977-403a-8a94-33c6bac34fb8",
            "db25007f-7a18-43eb-9379-80131e44d633"
        ]
    );
    assert_eq!((r.notices, r.unknown), (vec!["A moderator cleared the chat".to_string()], vec![]));
    // Cleared once, gone: a second clear has nothing left to delete.
    assert!(t.read(CLEAR_ALL, now()).events.is_empty());
}

#[test]
fn a_whole_chat_clear_deletes_at_most_the_latest_clearable_messages() {
    let mut t = anon();
    for n in 0..CLEARABLE + 5 {
        t.read(&format!(":u!u@u.tmi.twitch.tv PRIVMSG #dallas :message {n}"), now());
    }
    let r = t.read(CLEAR_ALL, now());
    assert_eq!(r.events.len(), CLEARABLE);
    let Event::Moderation { msg_id: Some(first), .. } = &r.events[0] else { panic!() };
    assert_eq!(first, "twitch-local-6", "the oldest five are let go");
}

// ---- reading: USERNOTICE ----

#[test]
fn a_resub_is_a_gift_and_its_message_is_chat() {
    let ronni = user("87654321", "ronni", &["staff", "broadcaster", "turbo"]);
    assert_eq!(
        read(RESUB).events,
        [
            Event::Gift { user: ronni.clone(), gift: gift("Sub (Prime)", Decimal::ONE, "SUBS"), repeat: 1 },
            Event::Chat {
                msg_id: "db25007f-7a18-43eb-9379-80131e44d633".into(),
                user: ronni,
                text: "Great stream -- keep it up!".into(),
                reply_to: None,
            },
        ]
    );
    // livedesk: a first sub without a message is the gift alone.
    let sub = RESUB
        .replace("msg-id=resub", "msg-id=sub")
        .replace("msg-param-sub-plan=Prime", "msg-param-sub-plan=3000");
    let sub = sub.split(" :Great").next().unwrap();
    let Event::Gift { gift: g, .. } = &read(sub).events[0] else { panic!() };
    assert_eq!(g.name, "Sub (Tier 3)");
    assert_eq!(read(sub).events.len(), 1);
}

#[test]
fn a_gifted_sub_is_a_gift_from_the_gifter() {
    let tww2 = user("87654321", "TWW2", &["staff", "premium"]);
    assert_eq!(
        read(SUBGIFT).events,
        [Event::Gift { user: tww2, gift: gift("Gift sub (Tier 1)", Decimal::ONE, "SUBS"), repeat: 1 }]
    );
}

#[test]
fn a_mass_gift_counts_its_subs_once_whether_or_not_each_follows() {
    // twitch-irc-rs 6.1.1, src/message/commands/usernotice.rs, test_submysterygift: "is
    // gifting 20 Tier 1 Subs", then (livedesk) the gifted subs Twitch sends for it.
    let mass = "@badge-info=;badges=sub-gifter/50;color=;display-name=AdamAtReflectStudios;emotes=;flags=;id=049e6371-7023-4fca-8605-7dec60e72e12;login=adamatreflectstudios;mod=0;msg-id=submysterygift;msg-param-mass-gift-count=20;msg-param-sender-count=100;msg-param-sub-plan=1000;room-id=71092938;subscriber=0;tmi-sent-ts=1594583777669;user-id=211711554;user-type= :tmi.twitch.tv USERNOTICE #xqcow";
    let one = |n: u32| {
        format!(
            "@badges=sub-gifter/50;display-name=AdamAtReflectStudios;id=g{n};login=adamatreflectstudios;msg-id=subgift;msg-param-sub-plan=1000;user-id=211711554 :tmi.twitch.tv USERNOTICE #xqcow"
        )
    };
    let units = |r: &Reading| -> u32 {
        r.events.iter().map(|e| if let Event::Gift { repeat, .. } = e { *repeat } else { 0 }).sum()
    };
    let mut t = anon();
    let r = t.read(mass, now());
    let adam = user("211711554", "AdamAtReflectStudios", &["sub-gifter"]);
    assert_eq!(
        r.events,
        [Event::Gift { user: adam, gift: gift("Gift sub (Tier 1)", Decimal::ONE, "SUBS"), repeat: 20 }]
    );
    let after: u32 = (0..20).map(|n| units(&t.read(&one(n), now()))).sum();
    assert_eq!(after, 0, "the twenty announced subs are not counted again");
    assert_eq!(units(&t.read(&one(20), now())), 1, "a gift sub past the announced ones is new");
    // Another gifter's subs are their own.
    assert_eq!(units(&t.read(SUBGIFT, now())), 1);
}

#[test]
fn paid_upgrades_are_subs_and_a_pay_forward_is_its_gift_sub_alone() {
    // tmi.js 1.8.5, test/events.js: giftpaidupgrade, anongiftpaidupgrade, primepaidupgrade.
    let base = "@badge-info=subscriber/1;badges=subscriber/0;color=;display-name=SubscriberName;emotes=;flags=;id=ID;login=subscribername;mod=0;msg-id=KIND;room-id=123456789;subscriber=1;tmi-sent-ts=1590000000000;user-id=987654321;user-type= :tmi.twitch.tv USERNOTICE #schmoopiie";
    let line = |kind: &str, extra: &str| {
        base.replace("KIND", kind)
            .replace("id=ID", &format!("id={kind}"))
            .replace("msg-id=", &format!("{extra}msg-id="))
    };
    let name = |r: Reading| match &r.events[..] {
        [Event::Gift { gift, repeat: 1, .. }] => gift.name.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        name(read(&line("giftpaidupgrade", "msg-param-sender-login=sendername;"))),
        "Sub (continued gift)"
    );
    assert_eq!(name(read(&line("anongiftpaidupgrade", ""))), "Sub (continued gift)");
    assert_eq!(name(read(&line("primepaidupgrade", "msg-param-sub-plan=1000;"))), "Sub (Tier 1)");
    // livedesk: Twitch's documented pay-forward notices; the gift itself comes as a subgift.
    let forward = read(&line("communitypayforward", ""));
    assert!(forward.events.is_empty() && forward.unknown.is_empty(), "{forward:?}");
}

#[test]
fn a_raid_is_the_raider_arriving() {
    assert_eq!(read(RAID).events, [Event::Join { user: user("123456", "TestChannel", &["turbo"]) }]);
}

#[test]
fn other_usernotices_are_unknown_by_name_and_keep_their_chat() {
    let r = read(RITUAL);
    assert_eq!(r.unknown, ["USERNOTICE ritual"]);
    let Event::Chat { text, msg_id, .. } = &r.events[0] else { panic!() };
    assert_eq!((text.as_str(), msg_id.as_str()), ("HeyGuys", "37feed0f-b9c7-4c3a-b475-21c6c6d21c3d"));
    // livedesk: an announcement is a moderator's chat, not unknown.
    let announce = "@badges=moderator/1;display-name=Mod;id=a1;login=mod;msg-id=announcement;msg-param-color=PRIMARY;user-id=5 :tmi.twitch.tv USERNOTICE #c :Sale at 8!";
    let r = read(announce);
    assert!(r.unknown.is_empty());
    assert!(matches!(&r.events[..], [Event::Chat { text, .. }] if text == "Sale at 8!"));
    assert!(read(":tmi.twitch.tv USERNOTICE #c").malformed.is_some());
}

// ---- reading: the connection ----

#[test]
fn ping_is_answered_and_reconnect_is_passed_on() {
    // IRC Concepts: "PING :tmi.twitch.tv", answered "PONG :tmi.twitch.tv".
    let r = read("PING :tmi.twitch.tv\r\n");
    assert_eq!(r, Reading { replies: vec!["PONG :tmi.twitch.tv".into()], ..Reading::default() });
    // IRC commands are case-insensitive (RFC 1459, 1.3): a lowercase ping is a ping.
    assert_eq!(read("ping :tmi.twitch.tv").replies, ["PONG :tmi.twitch.tv"]);
    // twitch-irc-rs 6.1.1, src/message/commands/ping.rs: a PING with a prefix and no argument.
    assert_eq!(read(":tmi.twitch.tv PING").replies, ["PONG"]);
    // IRC Commands: RECONNECT.
    assert_eq!(read(":tmi.twitch.tv RECONNECT\r\n"), Reading { reconnect: true, ..Reading::default() });
}

#[test]
fn logging_in_and_joining_say_nothing_to_the_desk() {
    // Authenticating, Membership, IRC Tags: what a login and a JOIN bring back.
    let frame = [
        ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands",
        ":tmi.twitch.tv 001 mybot :Welcome, GLHF!",
        ":tmi.twitch.tv 002 mybot :Your host is tmi.twitch.tv",
        ":tmi.twitch.tv 003 mybot :This server is rather new",
        ":tmi.twitch.tv 004 mybot :-",
        ":tmi.twitch.tv 375 mybot :-",
        ":tmi.twitch.tv 372 mybot :You are in a maze of twisty passages.",
        ":tmi.twitch.tv 376 mybot :>",
        GLOBALUSERSTATE,
        ":mybot!mybot@mybot.tmi.twitch.tv JOIN #dallas",
        ":mybot.tmi.twitch.tv 353 mybot = #dallas :mybot",
        ":mybot.tmi.twitch.tv 366 mybot #dallas :End of /NAMES list",
        USERSTATE_MOD,
        ROOMSTATE,
        ":tmi.twitch.tv PONG tmi.twitch.tv :tmi.twitch.tv",
    ]
    .join("\r\n");
    assert_eq!(bot().read(&frame, now()), Reading::default());
}

#[test]
fn a_refused_login_fails_the_feed() {
    // Authenticating: a refused token, and PASS sent after NICK.
    for text in ["Login authentication failed", "Improperly formatted auth"] {
        let r = bot().read(&format!(":tmi.twitch.tv NOTICE * :{text}\r\n"), now());
        assert_eq!(r.failed, Some(format!("Twitch refused the login: {text}")));
        assert!(r.events.is_empty());
    }
    // IRC Tags: NOTICE msg-id msg_channel_suspended, on joining a channel that is gone.
    let gone = "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #nope :This channel does not exist or has been suspended.";
    assert!(read(gone).failed.is_some_and(|f| f.contains("does not exist")));
}

#[test]
fn a_refused_message_is_an_error_and_other_notices_are_unknown() {
    // IRC Tags: NOTICE msg-ids for messages Twitch did not post.
    let r = read(
        "@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE #dallas :Your message was not sent because you are sending messages too quickly.",
    );
    assert_eq!(
        r.events,
        [Event::Error {
            code: "msg_ratelimit".into(),
            message: "Your message was not sent because you are sending messages too quickly.".into()
        }]
    );
    assert_eq!(r.failed, None);
    // IRC Commands: a room setting.
    let r = read("@msg-id=slow_on :tmi.twitch.tv NOTICE #dallas :This room is now in slow mode.");
    assert_eq!((r.events.len(), r.unknown), (0, vec!["NOTICE slow_on".to_string()]));
    assert_eq!(read(":tmi.twitch.tv NOTICE #dallas :hello").unknown, ["NOTICE"]);
}

#[test]
fn commands_with_no_desk_meaning_are_unknown_by_name() {
    let r = read(":tmi.twitch.tv HOSTTARGET #abc :xyz 10\r\n:tmi.twitch.tv CAP * NAK :twitch.tv/nope\r\n");
    assert_eq!(r.unknown, ["HOSTTARGET", "CAP NAK"]);
}

// ---- greeting ----

#[test]
fn greet_logs_in_with_the_token_then_joins() {
    let mut t = bot();
    assert_eq!(
        t.greet(),
        [
            "CAP REQ :twitch.tv/tags twitch.tv/commands",
            "PASS oauth:s3cr3tt0k3n",
            "NICK mybot",
            "JOIN #dallas"
        ]
    );
    assert_eq!(t.stream_id(), "dallas");
    // A token given without "oauth:" gets it once.
    let mut bare = Twitch::new("dallas".into(), Some(("mybot".into(), " s3cr3tt0k3n\n".into())));
    assert_eq!(bare.greet()[1], "PASS oauth:s3cr3tt0k3n");
    // The token never shows in debug output.
    assert!(!format!("{t:?}").contains("s3cr3t"));
}

#[test]
fn greet_without_a_token_is_anonymous_and_read_only() {
    let mut t = anon();
    let frames = t.greet();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0], "CAP REQ :twitch.tv/tags twitch.tv/commands");
    let digits = frames[1].strip_prefix("NICK justinfan").unwrap();
    assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "{frames:?}");
    assert_eq!(frames[2], "JOIN #dallas");
    assert!(t.is_anonymous());
    assert_eq!(t.nick(), &frames[1][5..]);
    // An empty token is no login.
    assert!(Twitch::new("dallas".into(), Some(("me".into(), "oauth:".into()))).is_anonymous());
}

#[test]
fn names_that_could_break_a_line_are_cleaned() {
    let mut t =
        Twitch::new("dallas\r\nPRIVMSG #x :spam".into(), Some(("me you".into(), "tok en\r\n".into())));
    assert_eq!(t.greet()[1..], ["PASS oauth:token", "NICK meyou", "JOIN #dallasprivmsgxspam"]);
}

// ---- writing ----

#[test]
fn send_chat_is_a_privmsg_with_the_reply_tag() {
    let mut t = bot();
    // Sending and Receiving Chat Messages: a reply.
    assert_eq!(
        t.write(&send("Good idea!", Some("b34ccfc7-4977-403a-8a94-33c6bac34fb8"))).unwrap(),
        ["@reply-parent-msg-id=b34ccfc7-4977-403a-8a94-33c6bac34fb8 PRIVMSG #dallas :Good idea!"]
    );
    assert_eq!(t.write(&send("hi all", None)).unwrap(), ["PRIVMSG #dallas :hi all"]);
    // An id that would break the tag is escaped.
    assert_eq!(
        t.write(&send("x", Some("a b;c"))).unwrap(),
        ["@reply-parent-msg-id=a\\sb\\:c PRIVMSG #dallas :x"]
    );
}

#[test]
fn sent_text_is_one_line_within_twitch_limit() {
    let mut t = bot();
    let frames = t.write(&send("line one\r\nline two\n\u{1b}[31m:)", None)).unwrap();
    assert_eq!(frames, ["PRIVMSG #dallas :line one  line two [31m:)"]);
    // 600 emoji: cut at 500 whole characters.
    let long = "🧥".repeat(600);
    let frames = t.write(&send(&long, None)).unwrap();
    let text = frames[0].strip_prefix("PRIVMSG #dallas :").unwrap();
    assert_eq!(text, "🧥".repeat(500));
    assert!(t.write(&send(" \r\n ", None)).is_err());
}

#[test]
fn anonymous_connections_cannot_send() {
    assert_eq!(anon().write(&send("hi", None)), Err(READ_ONLY.to_string()));
}

#[test]
fn what_twitch_chat_cannot_carry_is_refused_with_the_reason() {
    let mut t = bot();
    let r = || "r".to_string();
    let delete = t.write(&Command::DeleteChat { reference: r(), msg_id: "m".into() }).unwrap_err();
    assert!(delete.contains("February 2023") && delete.contains("Twitch API"), "{delete}");
    let mute = t.write(&Command::MuteUser { reference: r(), user_id: "u".into(), seconds: 60 }).unwrap_err();
    assert!(mute.contains("/timeout"), "{mute}");
    assert!(t.write(&Command::PinChat { reference: r(), msg_id: "m".into() }).is_err());
    assert!(t.write(&Command::PinProduct { reference: r(), sku: Some("S".into()) }).is_err());
    let sale = Command::FlashSale {
        reference: r(),
        action: SaleAction::Start,
        sku: None,
        price: None,
        quantity: None,
        seconds: None,
    };
    assert!(t.write(&sale).is_err());
    let hello = Command::Hello { client: "livedesk".into(), resume_after: None };
    assert_eq!(t.write(&hello), Ok(vec![]));
}

#[test]
fn capabilities_say_only_a_login_can_send() {
    let none = Capabilities::default();
    assert_eq!(bot().capabilities(), Capabilities { send_chat: true, ..none });
    assert_eq!(anon().capabilities(), none);
}

// ---- the send limit ----

#[test]
fn the_send_limit_follows_the_standing_twitch_reports() {
    let mut t = bot();
    assert_eq!(t.send_limit(), Some(USER_LIMIT));
    t.read(USERSTATE_MOD, now());
    assert_eq!(t.send_limit(), Some(MODERATOR_LIMIT));
    // A new connection starts from the lower limit until Twitch says again.
    t.greet();
    assert_eq!(t.send_limit(), Some(USER_LIMIT));
    t.read(&USERSTATE_MOD.replace("mod=1", "mod=0"), now());
    assert_eq!(t.send_limit(), Some(USER_LIMIT));
    // The broadcaster's own account.
    let mut own = Twitch::new("dallas".into(), Some(("Dallas".into(), "t".into())));
    assert_eq!(own.send_limit(), Some(MODERATOR_LIMIT));
    own.read(&USERSTATE_MOD.replace("mod=1", "mod=0"), now());
    assert_eq!(own.send_limit(), Some(MODERATOR_LIMIT));
    assert_eq!(anon().send_limit(), None);
}

#[test]
fn a_burst_of_25_sends_20_and_queues_5() {
    let mut t = bot();
    let mut window = SendWindow::new(t.send_limit().unwrap());
    let t0 = Instant::now();
    let mut queue: std::collections::VecDeque<String> =
        (0..25).flat_map(|i| t.write(&send(&format!("reply {i}"), None)).unwrap()).collect();
    let mut sent = Vec::new();
    while let Some(frame) = queue.front() {
        if window.admit(t0).is_some() {
            break;
        }
        sent.push(frame.clone());
        queue.pop_front();
    }
    assert_eq!((sent.len(), queue.len()), (20, 5), "nothing dropped");
    assert_eq!(window.admit(t0), Some(Duration::from_secs(30)));
    assert_eq!(queue.front().map(String::as_str), Some("PRIVMSG #dallas :reply 20"));

    // A moderator may send 100.
    t.read(USERSTATE_MOD, now());
    window.set_limit(t.send_limit().unwrap());
    let more = (0..100).filter(|_| window.admit(t0).is_none()).count();
    assert_eq!(more, 80);
}

// ---- the fixture for end-to-end tests ----

#[test]
fn the_fixture_reads_as_its_comments_say() {
    let fixture = include_str!("../../../../tests/fixtures/twitch-irc.txt");
    let mut t = anon();
    let mut all = Reading::default();
    let mut frames = 0;
    for block in fixture.split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        frames += 1;
        let r = t.read(&format!("{}\r\n", lines.join("\r\n")), now());
        assert_eq!(r.malformed, None, "{lines:?}");
        all.events.extend(r.events);
        all.replies.extend(r.replies);
        all.unknown.extend(r.unknown);
        all.duplicates += r.duplicates;
        all.reconnect |= r.reconnect;
    }
    assert_eq!(frames, 20);
    let kinds: Vec<&str> = all.events.iter().map(Event::type_name).collect();
    #[rustfmt::skip]
    assert_eq!(kinds, [
        "chat",                                  // Kappa Keepo Kappa
        "chat", "gift",                          // cheer100
        "chat", "chat", "chat", "chat",          // VIP, reply, emoji, /me
        "chat", "chat", "chat",                  // three in one frame
        "moderation", "moderation", "moderation", // delete, timeout, ban
        "moderation", "moderation", "moderation", // the whole chat cleared: the nine
        "moderation", "moderation", "moderation", // messages shown so far, each
        "moderation", "moderation", "moderation", // deleted
        "gift", "chat",                          // resub and its message
        "gift",                                  // sub
        "gift",                                  // subgift
        "gift",                                  // mass gift of 2, its subgifts in it
        "join",                                  // raid
        "chat",                                  // announcement
        "chat",                                  // ritual's HeyGuys
    ]);
    assert_eq!(all.replies, ["PONG :tmi.twitch.tv"]);
    assert_eq!(all.unknown, ["USERNOTICE ritual", "NOTICE slow_on"]);
    assert_eq!(all.duplicates, 0);
    assert!(all.reconnect);
    for event in &all.events {
        crate::protocol::checked(event.clone()).unwrap();
    }
    let texts: Vec<&str> = all
        .events
        .iter()
        .filter_map(|e| if let Event::Chat { text, .. } = e { Some(text.as_str()) } else { None })
        .collect();
    assert!(texts.contains(&"🔥🔥 how much for the 🧥 in 👨‍👩‍👧 size? ;) :D \\o/ a\\sb\\: C:\\temp 価格は？"));
    assert!(texts.contains(&"waves at everyone"));
    let reply = all.events.iter().find_map(|e| match e {
        Event::Chat { reply_to: Some(id), .. } => Some(id.as_str()),
        _ => None,
    });
    assert_eq!(reply, Some("1fd20412-965f-4c96-beb3-52266448f564"));
    // Replayed after a reconnect, nothing is new.
    let replay = t.read(&format!("{PRIVMSG}\r\n"), now());
    assert_eq!(replay.duplicates, 0);
    let first = fixture.lines().find(|l| l.starts_with('@') && l.contains("Kappa Keepo Kappa")).unwrap();
    assert_eq!(t.read(first, now()).duplicates, 1);
}
