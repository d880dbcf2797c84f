//! Social Stream Ninja's event names, and what each means for the desk.
//!
//! Written from SSN's `docs/event-reference.html` (the canonical names per source, the
//! "Cross-Platform Event Alignment" table and the "Deprecated Event Names" that older
//! extensions still send), `createtestmessage.html` (its test presets) and the sources that
//! set `event` (`sources/tiktok.js`, `sources/youtube.js`, `sources/twitch.js`,
//! `providers/twitch/chatClient.js`, `sources/websocket/kick.js`), at commit 981f6dbf of
//! github.com/steveseguin/social_stream.

/// What an SSN row is, by its `event`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A viewer's message: no event, `chat`, `message` (Kick's bridge), `action` (a /me).
    Chat,
    /// A question (`question_new`, from SSApp's TikTok connector).
    Question,
    /// An emote sent on its own (`emote`): chat whose text is the emote's name.
    Emote,
    /// Bits: `cheer`, `bits` (a chat row with bits), `powerup` (bits spent on a Power-up).
    Bits,
    /// Money sent with an optional message: the gift's name, and whether the row's text is
    /// the viewer's words (a `thankyou` row's text is SSN's own "Thank you…").
    Paid {
        name: &'static str,
        words: bool,
    },
    /// A platform gift (`gift`; a TikTok gift, a Kick gift sub told in words).
    Gift,
    /// A reaction: a gift when it carries a donation (TikTok's tray-hidden gifts), else
    /// nothing for the desk.
    Reaction,
    /// A subscription or membership, new or renewed; `words` when the row's text is the
    /// viewer's own message (a resub's, a milestone's) rather than SSN's notice.
    Sub {
        words: bool,
    },
    /// Subscriptions or memberships gifted to others, one row per gift or per bundle.
    GiftSubs,
    /// A gifted subscription received: its gifter's row already counted it.
    GiftReceived,
    /// A raid, a host, YouTube's redirect: the raiding channel arrives.
    Raid,
    Join,
    Follow,
    Share,
    Like,
    /// One source's viewer count (`viewer_update`, `meta` a number).
    Viewers,
    /// Every source's viewer count at once (`viewer_updates`, `meta` by source).
    AllViewers,
    /// A TikTok treasure chest (`envelope`, `meta.coins`).
    TreasureChest,
    /// A viewer banned or timed out (`user_banned`, the viewer in `meta`).
    Banned,
    /// Anything else: counted as unknown, by name.
    Other,
}

/// The kind of a row whose `event` is `name` (lowercase), `None` for no event.
pub fn kind(name: Option<&str>) -> Kind {
    let Some(name) = name else { return Kind::Chat };
    match name {
        "chat" | "message" | "action" => Kind::Chat,
        "question_new" | "question" => Kind::Question,
        "emote" => Kind::Emote,
        "cheer" | "bits" | "powerup" => Kind::Bits,
        "superchat" => Kind::Paid { name: "Super Chat", words: true },
        "supersticker" => Kind::Paid { name: "Super Sticker", words: true },
        "jeweldonation" => Kind::Paid { name: "YouTube Gift", words: true },
        "donation" | "tip" => Kind::Paid { name: "Donation", words: true },
        "thankyou" => Kind::Paid { name: "Donation", words: false },
        "gift" => Kind::Gift,
        "reaction" => Kind::Reaction,
        "new_subscriber"
        | "subscribe"
        | "sponsorship"
        | "subscription"
        | "membership"
        | "new_member"
        | "new_membership"
        | "newmember"
        | "new-membership"
        | "upgraded_membership"
        | "upgraded-membership"
        | "membership_upgrade" => Kind::Sub { words: false },
        "resub" | "membermilestone" | "membership_milestone" | "member_milestone" => {
            Kind::Sub { words: true }
        }
        "subscription_gift" | "subgift" | "giftpurchase" | "gift_membership" | "membership_gift"
        | "giftmemberships" | "gifted_memberships" | "community_gift" => Kind::GiftSubs,
        "giftredemption" | "gifted_membership" => Kind::GiftReceived,
        "raid" | "host" | "redirect" => Kind::Raid,
        "joined" | "join" => Kind::Join,
        "followed" | "follow" | "new_follower" => Kind::Follow,
        "shared" | "share" => Kind::Share,
        "liked" | "like" => Kind::Like,
        "viewer_update" => Kind::Viewers,
        "viewer_updates" => Kind::AllViewers,
        "envelope" => Kind::TreasureChest,
        "user_banned" => Kind::Banned,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_and_deprecated_names_read_alike() {
        let table = [
            (None, Kind::Chat),
            (Some("action"), Kind::Chat),
            (Some("cheer"), Kind::Bits),
            (Some("bits"), Kind::Bits),
            (Some("thankyou"), Kind::Paid { name: "Donation", words: false }),
            (Some("sponsorship"), Kind::Sub { words: false }),
            (Some("new-membership"), Kind::Sub { words: false }),
            (Some("membership_milestone"), Kind::Sub { words: true }),
            (Some("subgift"), Kind::GiftSubs),
            (Some("community_gift"), Kind::GiftSubs),
            (Some("gifted_membership"), Kind::GiftReceived),
            (Some("redirect"), Kind::Raid),
            (Some("new_follower"), Kind::Follow),
            (Some("viewer_updates"), Kind::AllViewers),
            (Some("envelope"), Kind::TreasureChest),
            (Some("hype_train"), Kind::Other),
        ];
        for (name, want) in table {
            assert_eq!(kind(name), want, "{name:?}");
        }
    }
}
