//! What the desk made of one comment, for `--explain`: its language, tags, why the shop
//! cannot ship, the claim read and the reply suggested, read from the desk's state right
//! after the comment was applied (never worked out again elsewhere).

use serde::{Deserialize, Serialize};

use super::claims::{Parsed, Pick};
use super::classify::Tag;
use super::{State, text};

/// One comment as the desk saw it: a line of the explain file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explained {
    pub msg_id: String,
    pub viewer: String,
    /// Sanitized, as every string from the feed is before the desk sees it.
    pub text: String,
    /// The language it is written in (ISO 639-1), detected off the desk's path by
    /// [`crate::language`]; `None` for emoji only.
    pub language: Option<String>,
    /// The language the desk answers it in, by chat.toml's rules (`None`: the shop's own).
    pub reply_language: Option<String>,
    pub tags: Vec<String>,
    pub cant_ship: Option<CantShip>,
    pub claim: Option<ClaimRead>,
    pub suggestion: Option<SuggestionRead>,
}

/// Why the shop cannot ship what a comment is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CantShip {
    /// The region (ISO 3166-1 alpha-2).
    pub region: String,
    /// `place named` (the comment asks for it) or `viewer's region` (the platform's).
    pub why: String,
}

/// A comment read as a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRead {
    /// The product: the one named, else the one on screen (`None`: nothing to claim).
    pub product: Option<String>,
    /// The variant of the product the claim holds (`None` for a product without variants,
    /// or when the words do not say which).
    pub variant: Option<String>,
    pub quantity: u32,
}

/// The reply the desk suggests, filled as it would be sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionRead {
    pub id: String,
    /// The filled text, or `None` when nothing can fill its fields now.
    pub text: Option<String>,
    pub score: i32,
    pub reasons: Vec<String>,
}

impl State {
    /// What the desk made of the chat message `msg_id`, if it still has it.
    pub fn explain(&self, msg_id: &str) -> Option<Explained> {
        let m = self.chat.by_msg_id(msg_id)?;
        let norm = text::normalize(&m.text);
        let cant_ship = m.tags.has(Tag::CantShip).then(|| {
            let mut tags = m.tags;
            tags.remove(Tag::CantShip);
            let region = self.shipping.cant_ship(&norm, m.region.as_deref(), tags).unwrap_or_default();
            let own = m.region.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(&region));
            let why = if own { "viewer's region" } else { "place named" };
            CantShip { region, why: why.into() }
        });
        let (parsed, claim_norm) = self.claims.matcher.parse(&m.text);
        let parsed = match parsed {
            Parsed::NotAClaim if self.hand_claim(&m.text) => {
                Parsed::Claim { sku: None, qty: 1, explicit: false }
            }
            parsed => parsed,
        };
        let claim = match parsed {
            Parsed::Claim { sku, qty, .. } if !m.tags.has(Tag::Spam) => {
                let sku = sku.or_else(|| self.current_product().filter(|p| p.known).map(|p| p.sku.clone()));
                let variant =
                    sku.as_deref().and_then(|sku| match self.claims.matcher.pick(sku, &claim_norm) {
                        Pick::One(v) if self.catalog.product_of(&v) != v => Some(v),
                        _ => None,
                    });
                let product = match variant.as_deref() {
                    Some(v) => Some(self.catalog.product_of(v).to_owned()),
                    None => sku,
                };
                Some(ClaimRead { product, variant, quantity: qty })
            }
            _ => None,
        };
        let suggestion = self.suggest(msg_id).map(|s| SuggestionRead {
            id: s.reply.id().to_owned(),
            text: self.reply_text(s.reply, Some(msg_id), self.now).ok(),
            score: s.score,
            reasons: s.reasons,
        });
        Some(Explained {
            msg_id: m.msg_id.clone(),
            viewer: m.user_name.clone(),
            text: m.text.clone(),
            // Filled by the explain writer: detection costs too much for the desk's path.
            language: None,
            reply_language: self.classifier.language(&m.text).map(str::to_owned),
            tags: m.tags.iter().map(|t| t.name().to_owned()).collect(),
            cant_ship,
            claim,
            suggestion,
        })
    }
}
