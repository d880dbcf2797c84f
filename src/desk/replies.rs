//! Canned replies: their templates, how often each is used, and which one answers a
//! given comment best.

use std::collections::BTreeMap;

use super::classify::{KindRead, Tag, Tags};
use super::text::{has_words, normalize};
use crate::config::model::ReplySpec;
use crate::reply_kinds::answers_a_question;

/// The values a reply template can use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateContext {
    pub user: Option<String>,
    pub product: Option<String>,
    pub price: Option<String>,
    pub stock: Option<String>,
    pub time_left: Option<String>,
    /// Where the shop ships, as a sentence ("the UK and Ireland").
    pub ships_to: Option<String>,
}

/// The template fields a reply may use (named with `replies.toml`'s schema).
pub use crate::config::model::TEMPLATE_FIELDS as FIELDS;

/// The tag of the polite "we only ship to …" reply the shipping gate suggests (and may send
/// by itself).
pub const CANT_SHIP: &str = "cant-ship";

/// The tags that make the desk send a reply by itself: a reply with one needs no key.
pub const AUTO_TAGS: [&str; 10] = [
    CANT_SHIP,
    "sale-preheat",
    "sale-start",
    "sold-out",
    "sale-ended",
    "claim-confirmed",
    "claim-rejected",
    "claim-waitlisted",
    "claim-promoted",
    "claim-which",
];

/// Fills `{user}`, `{product}`, `{price}`, `{stock}` and `{time_left}`; unknown braces
/// stay as written. A reply with no viewer to answer speaks to "everyone"; a field about the
/// product or the sale with nothing to fill it is an error naming the fields, because a
/// message like "only a few left, not long on the clock!" must never reach the audience.
pub fn fill(template: &str, ctx: &TemplateContext) -> Result<String, Vec<&'static str>> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut missing = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let value = match name {
            "user" => Some(Some(ctx.user.as_deref().unwrap_or("everyone"))),
            "product" => Some(ctx.product.as_deref()),
            "price" => Some(ctx.price.as_deref()),
            "stock" => Some(ctx.stock.as_deref()),
            "time_left" => Some(ctx.time_left.as_deref()),
            "ships_to" => Some(ctx.ships_to.as_deref()),
            _ => None,
        };
        match value {
            Some(Some(v)) => out.push_str(v),
            Some(None) => {
                let field = FIELDS.into_iter().find(|f| *f == name).expect("a known field");
                if !missing.contains(&field) {
                    missing.push(field);
                }
            }
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if missing.is_empty() { Ok(out) } else { Err(missing) }
}

/// What the operator can do so that these fields can be filled.
pub fn how_to_fill(missing: &[&str]) -> &'static str {
    if missing.contains(&"ships_to") {
        "set [shipping] ships_to in settings.toml"
    } else if missing.iter().all(|f| *f == "time_left") {
        "start a flash sale first"
    } else {
        "pin a product or start a flash sale first"
    }
}

/// The canned replies, in file order, with how often each was used (this stream and the
/// streams before it, from the store).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replies {
    replies: Vec<ReplySpec>,
    /// Each reply's keywords, normalized as comments are.
    keywords: Vec<Vec<String>>,
    /// The built-in clue words, normalized, by the kind of reply they are for.
    clues: Vec<(&'static str, Vec<String>)>,
    uses: BTreeMap<String, u64>,
}

/// What the desk knows about a comment when it suggests a reply.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked<'a> {
    /// The comment, normalized ([`crate::text::normalize`]).
    pub norm: &'a str,
    pub tags: Tags,
    /// The products it names (skus).
    pub products: &'a [String],
    /// The product on screen (a live sale's, or the pinned one).
    pub on_screen: Option<&'a str>,
    /// Its language, by chat.toml's rules.
    pub lang: Option<&'a str>,
    /// The claims matcher read it as a claim: the claim's own replies answer it.
    pub claim: bool,
    /// The tag of the reply for what the flash sale is doing now (`sale-start` while one
    /// is live, `sold-out` once it sold out...), if a sale is on or just over.
    pub sale: Option<&'static str>,
    /// What the reply model reads the comment as asking.
    pub read: Option<KindRead>,
    /// The viewer spoke earlier in the stream: a wave now says goodbye, and no welcome is due.
    pub returning: bool,
}

/// A reply that fits a comment, with its score and why it scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggested<'a> {
    pub reply: &'a ReplySpec,
    pub score: i32,
    /// What counted, in plain words (`keyword "how long"`, `tag shipping`).
    pub reasons: Vec<String>,
    /// How often the shop sent it to comments that read like this one, when the suggestion
    /// is the shop's own past answer.
    pub answered: Option<u64>,
}

/// The least score a reply needs to be suggested: a keyword, or two clues together.
pub const SUGGEST_AT: i32 = 4;

/// How sure the reply model must be that no reply is due to overrule a sale's clue word: the
/// sale's words are everyday words too ("they look salon done", "when's your next live").
const SALE_CLUE_OVERRULED_AT: f32 = 0.8;

/// The tags of the flash sale's replies, each fitting only while the sale is in its state.
pub const SALE_TAGS: [&str; 4] = ["sale-preheat", SALE_LIVE, "sold-out", "sale-ended"];
/// The tag of the reply for a live flash sale (its price, stock and time left).
const SALE_LIVE: &str = "sale-start";
/// The kind of comment (see [`REPLY_KINDS`](crate::reply_kinds::REPLY_KINDS)) that asks a
/// product's price or stock: during the product's live sale, the sale's reply answers it.
const PRICE_KIND: &str = "price";

/// Words a shop's replies for greetings, thanks and the flash sale are suggested for, even
/// when `replies.toml` gives them no keywords of their own: a shop that never wrote
/// "hiya" into its welcome still wants it offered for "hiya just joined". Each is written as
/// comments read ("heyyy" reads "hey"; a short "hiii" or a dismayed "noooo" keeps its drawl).
/// Not "hai": the Malay hello is the Hindi "is", in every other Hinglish comment.
const CLUES: [(&str, &[&str]); 3] = [
    (
        "welcome",
        &[
            "hi",
            "hiya",
            "hello",
            "helo",
            "hey",
            "heya",
            "heyy",
            "hiii",
            "hola",
            "holaa",
            "holi",
            "buenas",
            "buenas noches",
            "buenas tardes",
            "evening",
            "good evening",
            "afternoon",
            "morning",
            "just joined",
            "joined",
            "made it",
            "im here",
            "here now",
            "early for once",
            "first time here",
            "kumusta",
            "musta",
            "magandang gabi",
            "magandang hapon",
            "hapon",
            "czesc",
            "cześć",
            "hej",
            "dzien dobry",
            "dzień dobry",
            "dobry wieczor",
            "dobry wieczór",
            "buna",
            "bună",
            "buna seara",
            "bună seara",
            "salut",
            "salutare",
            "namaste",
            "sat sri akal",
            "assalamualaikum",
            "salam",
            "wassup",
            "whats up",
            "wagwan",
            "selamat pagi",
            "selamat petang",
            "selamat malam",
            "hai semua",
            "hejka",
            "siema",
            "witam",
            "present po",
            "reporting in",
            "salaam",
            "awright",
            "ayup",
            "hiiya",
            "oi oi",
            "alright",
            "que tal",
            "qué tal",
        ],
    ),
    (
        "thanks",
        &[
            "followed",
            "just followed",
            "follow",
            "following",
            "gift",
            "gifted",
            "sent a",
            "sent you",
            "sent u",
            "a heart",
            "rose",
            "roses",
            "donut",
            "heart me",
            "sub",
            "subbed",
            "te sigo",
            "seguir",
            "te urmăresc",
            "te urmaresc",
            "obserwuję",
            "obserwuje",
            "follow kita",
        ],
    ),
    (
        "sale",
        &[
            "sale",
            "flash",
            "still on",
            "is it on",
            "over",
            "sold out",
            "gone",
            "missed",
            "miss",
            "started",
            "start",
            "starts",
            "starting",
            "opens",
            "how long",
            "till",
            "until",
            "coming up",
            "kicking off",
            "when",
            "cuándo",
            "cuando",
            "empieza",
            "comienza",
            "kailan",
            "magsisimula",
            "bila",
            "simula",
            "kab",
            "shuru",
            "kiedy",
            "za ile",
            "zaczyna",
            "când",
            "cand",
            "începe",
            "incepe",
            "ends",
            "left",
            "time left",
            "too late",
            "too slow",
            "so fast",
            "fast",
            "quick",
            "already",
            "done",
            "finished",
            "tapos",
            "habis",
            "naubos",
            "maubos",
            "ubos",
            "wala na",
            "agotado",
            "agotó",
            "se acabo",
            "se acabó",
            "se vendio",
            "se vendió",
            "vendido",
            "koniec",
            "sprzedane",
            "wyprzedane",
            "po wszystkim",
            "gata",
            "terminat",
            "epuizat",
            "vandut",
            "vândut",
            "khatam",
            "ho gaya",
            "bik gaya",
            "bik gaye",
            "oferta",
            "promo",
            "countdown",
            "timer",
            "kidding me",
            "nooo",
            "noooo",
        ],
    ),
];

/// Words of leaving: "buenas noches, me voy a dormir" and "night all, see you thursday" say
/// goodbye, and a welcome clue in them ("buenas noches", "night") is not a greeting.
const FAREWELLS: &[&str] = &[
    "bye",
    "byee",
    "bye all",
    "night all",
    "night night",
    "nite",
    "see you",
    "see ya",
    "see u",
    "off to",
    "im off",
    "gotta go",
    "got to go",
    "heading off",
    "signing off",
    "logging off",
    "laters",
    "me voy",
    "nos vemos",
    "hasta luego",
    "hasta mañana",
    "adiós",
    "adios",
    "chau",
    "chao",
    "ne vedem",
    "la revedere",
    "noapte buna",
    "noapte bună",
    "pa pa",
    "good night",
    "goodnight",
    "dobranoc",
    "do zobaczenia",
    "paalam",
    "babay",
    "jumpa lagi",
    "selamat tidur",
    "nak tidur",
    "phir milenge",
    "chalo bye",
];

impl Replies {
    /// The replies of `replies.toml`, with the use counts of earlier streams.
    pub fn new(replies: &[ReplySpec], uses: BTreeMap<String, u64>) -> Self {
        // A keyword written twice ("basket" in two spellings that read alike) counts once.
        let keywords = replies
            .iter()
            .map(|r| {
                let mut seen = std::collections::HashSet::new();
                r.keywords
                    .iter()
                    .map(|k| normalize(k))
                    .filter(|k| !k.is_empty() && seen.insert(k.clone()))
                    .collect()
            })
            .collect();
        let clues = CLUES
            .iter()
            .map(|(tag, words)| {
                (*tag, words.iter().map(|w| normalize(w)).filter(|w| !w.is_empty()).collect())
            })
            .collect();
        Replies { replies: replies.to_vec(), keywords, clues, uses }
    }

    /// The same counts with the replies of an edited `replies.toml`.
    pub fn reload(&mut self, replies: &[ReplySpec]) {
        *self = Replies::new(replies, std::mem::take(&mut self.uses));
    }

    /// Every reply in file order.
    pub fn all(&self) -> &[ReplySpec] {
        &self.replies
    }

    /// The reply on a key.
    pub fn by_key(&self, key: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.key.as_deref() == Some(key))
    }

    /// The reply with this id (its title when it has no id).
    pub fn by_id(&self, id: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.id() == id)
    }

    /// The first reply carrying a tag (e.g. `sale-start`, `sold-out`).
    pub fn by_tag(&self, tag: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.tags.iter().any(|t| t == tag))
    }

    /// How many times a reply was sent, all streams together.
    pub fn uses(&self, id: &str) -> u64 {
        self.uses.get(id).copied().unwrap_or(0)
    }

    /// Counts one more use of a reply.
    pub fn used(&mut self, id: &str) {
        *self.uses.entry(id.to_owned()).or_default() += 1;
    }

    /// The replies that fit a comment well enough, best first, each with its score and
    /// reasons.
    ///
    /// Spam gets none. A viewer the shop cannot ship to gets the "can't ship" reply, even
    /// for a claim; other claims get none (their own replies answer them as the operator
    /// acts). Otherwise every reply is a candidate and scores by the comment's words among
    /// its keywords (a longer phrase counts more: "how much is shipping" beats "how much"),
    /// the built-in clues of greetings, thanks and the sale, what the reply model reads the
    /// comment as asking, its tags among the comment's, and the products both name; a reply
    /// for another product is out, and a flash sale's reply fits only while the sale is in
    /// its state; a complaint gets only a reply for complaints, and a price asked during
    /// the live sale of the product on screen gets the sale's reply. Ties go to the reply
    /// used more, then to the one first in the file.
    pub fn suggestions(&self, asked: &Asked<'_>) -> Vec<Suggested<'_>> {
        if asked.tags.has(Tag::Spam) {
            return Vec::new();
        }
        if asked.tags.has(Tag::CantShip)
            && let Some(r) = self.by_tag(CANT_SHIP)
        {
            return vec![Suggested {
                reply: r,
                score: SUGGEST_AT,
                reasons: vec!["can't ship there".into()],
                answered: None,
            }];
        }
        if asked.claim {
            return Vec::new();
        }
        let mut scored: Vec<(Suggested<'_>, u64, usize)> = Vec::new();
        for (i, (r, keywords)) in self.replies.iter().zip(&self.keywords).enumerate() {
            if let Some(s) = self.score(r, keywords, asked)
                && s.score >= SUGGEST_AT
            {
                scored.push((s, self.uses(r.id()), i));
            }
        }
        if asked.sale == Some(SALE_LIVE)
            && asked.products.iter().all(|p| Some(p.as_str()) == asked.on_screen)
            && let Some(sale) = self.replies.iter().position(|r| r.tags.iter().any(|t| t == SALE_LIVE))
        {
            self.sale_price(&mut scored, sale);
        }
        scored.sort_by(|a, b| (b.0.score, b.1).cmp(&(a.0.score, a.1)).then(a.2.cmp(&b.2)));
        scored.into_iter().map(|(s, ..)| s).collect()
    }

    /// While the product on screen is on a live flash sale, its price and stock are the
    /// sale's: the price reply's place goes to the sale's reply ("how much off the nude?"
    /// wants the sale price and the time left), at the better of their two scores.
    fn sale_price<'r>(&'r self, scored: &mut Vec<(Suggested<'r>, u64, usize)>, sale: usize) {
        let Some(at) = scored.iter().position(|(s, ..)| s.reply.answers() == Some(PRICE_KIND)) else {
            return;
        };
        let (mut price, ..) = scored.remove(at);
        price.reasons.push("the sale's price".into());
        match scored.iter_mut().find(|(_, _, i)| *i == sale) {
            Some((s, ..)) if s.score >= price.score => {}
            Some((s, ..)) => *s = Suggested { reply: s.reply, ..price },
            None => {
                let r = &self.replies[sale];
                scored.push((Suggested { reply: r, ..price }, self.uses(r.id()), sale));
            }
        }
    }

    /// The built-in clue words for a reply's tags: `welcome`, `thanks`, or the sale's.
    fn clues_for(&self, r: &ReplySpec) -> &[String] {
        let kind = r.tags.iter().find_map(|t| match t.as_str() {
            "welcome" => Some("welcome"),
            "thanks" => Some("thanks"),
            t if SALE_TAGS.contains(&t) => Some("sale"),
            _ => None,
        });
        kind.and_then(|k| self.clues.iter().find(|(tag, _)| *tag == k)).map_or(&[], |(_, w)| w.as_slice())
    }

    fn score<'r>(&self, r: &'r ReplySpec, keywords: &[String], asked: &Asked<'_>) -> Option<Suggested<'r>> {
        if r.tags.iter().any(|t| t.starts_with("claim-")) {
            // A claim's answers are sent by the desk as the claim changes.
            return None;
        }
        if asked.tags.has(Tag::Complaint) && !r.tags.iter().any(|t| t == Tag::Complaint.name()) {
            // Something went wrong: the order-problem reply, or none. "the app won't load
            // the basket" does not want the link to the basket.
            return None;
        }
        if greets_again(r, asked) {
            return None;
        }
        let sale_tag = r.tags.iter().find(|t| SALE_TAGS.contains(&t.as_str()));
        if let Some(tag) = sale_tag
            && asked.sale != Some(tag.as_str())
        {
            return None;
        }
        let read_as_this = asked
            .read
            .is_some_and(|read| read.p >= MODEL_AT && read.kind.is_some_and(|k| r.answers() == Some(k)));
        if r.answers().is_some_and(answers_a_question) && !asked.tags.has(Tag::Question) && !read_as_this {
            // An answer for a comment that asks nothing: "adding the red to my basket now"
            // wants no link, "got two sets last month" no word on how long they last.
            return None;
        }
        let mut score = 0;
        let mut reasons = Vec::new();
        let said: Vec<&String> = keywords.iter().filter(|k| has_words(asked.norm, k)).collect();
        if !said.is_empty() {
            let longest = said.iter().map(|k| k.split(' ').count()).max().unwrap_or(1);
            score += 4 * said.len().min(2) as i32 + (longest as i32 - 1);
            reasons.extend(said.iter().take(2).map(|k| format!("keyword \"{k}\"")));
        } else if let Some(clue) =
            self.clues_for(r).iter().filter(|k| has_words(asked.norm, k)).max_by_key(|k| k.split(' ').count())
            && !(r.tags.iter().any(|t| t == "welcome") && FAREWELLS.iter().any(|w| has_words(asked.norm, w)))
            && !(sale_tag.is_some()
                && asked.read.is_some_and(|read| read.kind.is_none() && read.p >= SALE_CLUE_OVERRULED_AT))
        {
            // A phrase counts as a keyword phrase does: "how long" in a preheat asks when it
            // starts as surely as the keyword "how long" asks how long nails stay on.
            score += 4 + (clue.split(' ').count() as i32 - 1);
            reasons.push(format!("says \"{clue}\""));
        }
        if let Some(read) = asked.read
            && let Some(kind) = read.kind.filter(|k| r.answers() == Some(*k))
            && read.p >= MODEL_AT
        {
            score += model_points(read.p);
            reasons.push(format!("reads as {kind} ({:.0}%)", read.p * 100.0));
        }
        if let Some(tag) = sale_tag {
            score += 1;
            reasons.push(format!("the sale is {}", tag.trim_start_matches("sale-")));
        }
        for t in asked.tags.iter().filter(|t| r.tags.iter().any(|rt| rt == t.name())) {
            score += 2;
            reasons.push(format!("tag {}", t.name()));
        }
        if !r.products.is_empty() {
            let about = |sku: &str| r.products.iter().any(|p| p.eq_ignore_ascii_case(sku));
            if let Some(p) = asked.products.iter().find(|p| about(p)) {
                score += 3;
                reasons.push(format!("names {p}"));
            } else if !asked.products.is_empty() {
                return None;
            } else if let Some(p) = asked.on_screen.filter(|p| about(p)) {
                score += 1;
                reasons.push(format!("{p} on screen"));
            } else {
                return None;
            }
        }
        if let Some(l) = asked.lang.filter(|l| r.lang.contains_key(*l)) {
            score += 1;
            reasons.push(format!("in {l}"));
        }
        Some(Suggested { reply: r, score, reasons, answered: None })
    }
}

/// A welcome for a viewer who spoke earlier in the stream: a wave then says goodbye.
pub fn greets_again(reply: &ReplySpec, asked: &Asked<'_>) -> bool {
    asked.returning && reply.tags.iter().any(|t| t == "welcome")
}

/// The least probability the reply model's reading counts at: likelier than not.
const MODEL_AT: f32 = 0.5;

/// What the reply model's reading is worth: more than a keyword at even odds, up to two
/// keywords' worth when it is sure.
fn model_points(p: f32) -> i32 {
    SUGGEST_AT + (p.clamp(0.0, 1.0) * SUGGEST_AT as f32) as i32
}

/// A reply's text in a language, else in its own.
pub fn text_in<'a>(reply: &'a ReplySpec, lang: Option<&str>) -> &'a str {
    lang.and_then(|l| reply.lang.get(l)).map_or(reply.text.as_str(), String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clue_word_is_written_as_comments_read_it_and_once() {
        for (kind, words) in CLUES.iter().copied().chain([("farewell", FAREWELLS)]) {
            let mut seen = std::collections::HashSet::new();
            for w in words {
                assert_eq!(normalize(w), *w, "{kind} clue {w:?} reads otherwise");
                assert!(seen.insert(*w), "{kind} clue {w:?} twice");
            }
        }
    }

    #[test]
    fn the_reply_models_reading_counts_for_the_reply_that_answers_it_and_more_when_sure() {
        let mut postage = ReplySpec::new("P&P", "£2.99");
        postage.answers = Some("postage".into());
        let mut price = ReplySpec::new("Price", "{price}");
        price.id = Some("price".into());
        price.keywords = vec!["how much".into()];
        let replies = Replies::new(&[postage, price], BTreeMap::new());
        let tags = Tags::default().with(Tag::Question);
        let ask =
            |norm, kind, p| Asked { norm, tags, read: Some(KindRead { kind, p }), ..Default::default() };
        let best = |asked: &Asked<'_>| replies.suggestions(asked).first().map(|s| s.reply.title.clone());
        // Read as postage, with no keyword of its own: postage.
        assert_eq!(best(&ask("whats the damage for p and p", Some("postage"), 0.6)).as_deref(), Some("P&P"));
        // A keyword of the price reply against a sure reading of postage: the reading wins.
        assert_eq!(best(&ask("how much to send it", Some("postage"), 0.95)).as_deref(), Some("P&P"));
        // Read as nothing a reply answers, or read unsure: only the keyword counts.
        let all = |asked: &Asked<'_>| -> Vec<String> {
            replies.suggestions(asked).into_iter().map(|s| s.reply.title.clone()).collect()
        };
        assert_eq!(all(&ask("how much to send it", None, 0.9)), ["Price"]);
        assert_eq!(all(&ask("how much to send it", Some("postage"), 0.3)), ["Price"]);
        let why = replies.suggestions(&ask("p and p?", Some("postage"), 0.87)).remove(0).reasons;
        assert_eq!(why, ["reads as postage (87%)"]);
    }

    #[test]
    fn a_greeting_word_in_a_goodbye_is_no_welcome() {
        let mut hi = ReplySpec::new("Welcome", "Welcome {user}!");
        hi.tags = vec!["welcome".into()];
        let replies = Replies::new(&[hi], BTreeMap::new());
        let suggested = |norm| replies.suggestions(&Asked { norm, ..Default::default() }).len();
        assert_eq!(suggested("buenas noches desde sevilla"), 1);
        assert_eq!(suggested("me voy a dormir buenas noches a todas"), 0);
        assert_eq!(suggested("night all see you thursday"), 0);
        assert_eq!(suggested("evening all"), 1);
    }

    #[test]
    fn an_answer_waits_for_a_comment_that_asks() {
        let mut link = ReplySpec::new("Link", "tap the basket");
        link.answers = Some("how-to-buy".into());
        link.keywords = vec!["basket".into()];
        let replies = Replies::new(&[link], BTreeMap::new());
        let suggested = |tags, read| {
            let asked = Asked { norm: "adding the red to my basket now", tags, read, ..Default::default() };
            replies.suggestions(&asked).len()
        };
        let question = Tags::default().with(Tag::Question);
        assert_eq!(suggested(Tags::default(), None), 0, "a keyword in a remark");
        assert_eq!(suggested(question, None), 1, "a keyword in a question");
        let read = |kind, p| Some(KindRead { kind, p });
        assert_eq!(suggested(Tags::default(), read(Some("how-to-buy"), 0.8)), 1, "read as asking for it");
        assert_eq!(suggested(Tags::default(), read(Some("how-to-buy"), 0.4)), 0, "read unsure");
        assert_eq!(suggested(Tags::default(), read(Some("postage"), 0.9)), 0, "read as asking another");
    }

    #[test]
    fn a_keyword_written_twice_counts_once() {
        let mut link = ReplySpec::new("Link", "tap the basket");
        link.keywords = vec!["basket".into(), "Basket!".into()];
        let replies = Replies::new(&[link], BTreeMap::new());
        let tags = Tags::default().with(Tag::Question);
        let s =
            replies.suggestions(&Asked { norm: "wheres the basket", tags, ..Default::default() }).remove(0);
        assert_eq!(s.reasons, ["keyword \"basket\""]);
    }

    #[test]
    fn a_viewer_who_spoke_before_is_not_welcomed_again() {
        let mut hi = ReplySpec::new("Welcome", "Welcome {user}!");
        hi.tags = vec!["welcome".into()];
        let replies = Replies::new(&[hi], BTreeMap::new());
        let suggested = |returning| {
            let read = Some(KindRead { kind: Some("welcome"), p: 0.99 });
            replies.suggestions(&Asked { norm: "", read, returning, ..Default::default() }).len()
        };
        // "👋" as a viewer's first words is hello; after an hour of chat, goodbye.
        assert_eq!(suggested(false), 1);
        assert_eq!(suggested(true), 0);
    }

    #[test]
    fn a_sale_clue_word_gives_way_when_the_reply_model_is_sure_no_reply_is_due() {
        let mut on = ReplySpec::new("Sale on", "{time_left} left");
        on.tags = vec!["sale-start".into()];
        let replies = Replies::new(&[on], BTreeMap::new());
        let asked = |read| Asked {
            norm: "they look salon done",
            sale: Some("sale-start"),
            read,
            ..Default::default()
        };
        let sure_none = Some(KindRead { kind: None, p: 0.95 });
        assert!(replies.suggestions(&asked(sure_none)).is_empty());
        // Unsure, or not read at all: the clue still counts.
        assert_eq!(replies.suggestions(&asked(Some(KindRead { kind: None, p: 0.6 }))).len(), 1);
        assert_eq!(replies.suggestions(&asked(None)).len(), 1);
    }

    #[test]
    fn a_complaint_gets_only_a_reply_for_complaints() {
        let mut link = ReplySpec::new("Link", "tap the basket");
        link.keywords = vec!["basket".into()];
        let mut sorry = ReplySpec::new("Sorry", "send us your order number");
        sorry.tags = vec!["complaint".into()];
        sorry.keywords = vec!["never arrived".into()];
        let replies = Replies::new(&[link, sorry], BTreeMap::new());
        let titles = |norm, tags| -> Vec<String> {
            let asked = Asked { norm, tags, ..Default::default() };
            replies.suggestions(&asked).into_iter().map(|s| s.reply.title.clone()).collect()
        };
        let complaint = Tags::default().with(Tag::Complaint);
        assert!(titles("the app wont load the basket", complaint).is_empty());
        assert_eq!(titles("where is the basket", Tags::default()), ["Link"]);
        assert_eq!(titles("my basket never arrived", complaint), ["Sorry"]);
    }

    #[test]
    fn a_price_asked_during_the_live_sale_of_the_product_on_screen_gets_the_sales_reply() {
        let mut price = ReplySpec::new("Price", "{price}");
        price.id = Some("price".into());
        price.keywords = vec!["how much".into()];
        let mut on = ReplySpec::new("Sale on", "{price}, {time_left} left");
        on.tags = vec!["sale-start".into()];
        let replies = Replies::new(&[price, on], BTreeMap::new());
        let red = ["STILETTO-RED".to_owned()];
        let best = |sale, products: &[String]| {
            let asked = Asked {
                norm: "how much off the nude",
                tags: Tags::default().with(Tag::Question),
                products,
                on_screen: Some("COFFIN-NUDE"),
                sale,
                ..Default::default()
            };
            replies.suggestions(&asked).first().map(|s| (s.reply.title.clone(), s.reasons.clone()))
        };
        let (title, why) = best(Some("sale-start"), &[]).unwrap();
        assert_eq!(title, "Sale on");
        assert_eq!(why, ["keyword \"how much\"", "the sale's price"]);
        // Another product named, or no sale live: its own price.
        assert_eq!(best(Some("sale-start"), &red).unwrap().0, "Price");
        assert_eq!(best(Some("sale-ended"), &[]).unwrap().0, "Price");
        assert_eq!(best(None, &[]).unwrap().0, "Price");
    }

    #[test]
    fn templates_fill_known_fields() {
        let ctx = TemplateContext {
            user: Some("maria".into()),
            product: Some("Almond blush".into()),
            price: Some("£4.99".into()),
            stock: Some("7".into()),
            time_left: Some("1:05".into()),
            ships_to: None,
        };
        assert_eq!(
            fill("Hi @{user}! {product} is {price}, {stock} left, {time_left} to go", &ctx).unwrap(),
            "Hi @maria! Almond blush is £4.99, 7 left, 1:05 to go"
        );
    }

    #[test]
    fn no_viewer_means_everyone_and_unknown_fields_stay() {
        let ctx = TemplateContext::default();
        assert_eq!(fill("Hi @{user}! {nope} {", &ctx).unwrap(), "Hi @everyone! {nope} {");
        assert_eq!(fill("no fields", &ctx).unwrap(), "no fields");
        assert_eq!(fill("💅 {user}💅", &ctx).unwrap(), "💅 everyone💅");
    }

    #[test]
    fn product_and_sale_fields_with_nothing_to_fill_them_are_refused() {
        let ctx = TemplateContext { user: Some("maria".into()), ..Default::default() };
        assert_eq!(
            fill("FLASH SALE! {product} for {price}, {stock} left, {time_left}! {product}", &ctx),
            Err(vec!["product", "price", "stock", "time_left"])
        );
        assert_eq!(how_to_fill(&["time_left"]), "start a flash sale first");
        assert_eq!(how_to_fill(&["product", "time_left"]), "pin a product or start a flash sale first");
    }
}
