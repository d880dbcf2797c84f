//! The grammar words a claim is written with, in the varieties chat is written in: words that
//! name nothing, number words, "for me" and "for <someone>", and want words. The words that
//! claim by themselves ("mine", "biorę", "akin") are the shop's (`bare` in claims.toml);
//! these only say how the rest of a claim is put together, so they are not for a shop to
//! edit. All are normalized (lowercase, accents kept), one word each unless said.

/// Words that go between the others without naming anything: "I want A1 black S" is how
/// SHOPLINE's keyword claims read, "sold next" asks to be next in line; the rest are the
/// articles, "also" and particles that stand beside a claim ("akin na po ito", "mera bhi
/// ek", "iau și eu kit", "le iau pe cele roz", "me quedo el kit", "biorę ten nude", "nude for me lah", "sa akin po",
/// "nak satu yang pink", "ek mera pakka"). Not "too": "me too" agrees with a comment; not
/// "can": "can i get 2 kits" asks.
pub const FILLERS: [&str; 51] = [
    "size", "sz", "in", "the", "colour", "color", "shape", "style", "of", "a", "i", "want", "next",
    // English
    "an", "also", "it", "is", // Spanish
    "el", "la", "lo", "los", "las", // Polish
    "ja", "ten", "te", // Romanian
    "și", "si", "eu", "e", "pe", "cel", "cele", "le", // Tagalog
    "na", "ito", "yung", "ang", "din", "ko", "ako", "lang", "sa", // Hindi, Malay, Singapore English
    "bhi", "wala", "hai", "pakka", "saya", "yang", "jugak", "lah", "leh",
];

/// "Please" and its kin: a product's name and one of these at the end claims it ("glue kit
/// please", "coffin nude pls"); only as the shop's polite words are they dropped from the end.
pub const PLEASE: [&str; 6] = ["please", "pls", "plz", "plis", "porfa", "porfis"];

/// Words a question opens with: a clause that opens with one asks, whatever claim word it
/// holds ("is it me", "can i get mine").
pub const ASKING: [&str; 21] = [
    "is", "are", "am", "was", "were", "do", "does", "did", "can", "could", "will", "would", "have", "has",
    "what", "how", "why", "where", "who", "which", "when",
];

/// "Me" in Spanish and Romanian: beside a product or a quantity they claim ("yo uno", "și eu
/// un kit", "eu roz"); alone they are English chat too ("yo!", "EU?"), so they claim alone
/// only during a live flash sale (see [`live_me`]).
pub const ME: [&str; 2] = ["yo", "eu"];

/// Whether a comment is only [`ME`] said once or more, and asks nothing ("yo!", "eu! eu!"):
/// during a live flash sale that reads "me!", as a raised hand does.
pub fn live_me(text: &str) -> bool {
    let mut words = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).peekable();
    words.peek().is_some()
        && !text.contains(['?', '？'])
        && words.all(|w| ME.iter().any(|me| w.eq_ignore_ascii_case(me)))
}

/// A number written as a word: a quantity like "2", but not a claim by itself ("the pink one"
/// names a product, "akin po isa" claims one).
pub fn number_word(word: &str) -> Option<u32> {
    let n = match word {
        "one" | "uno" | "una" | "un" | "isa" | "isang" | "satu" | "unul" | "jeden" | "jedna" | "jedną"
        | "jedno" | "ek" => 1,
        // "twa": Scots.
        "two" | "twa" | "dos" | "dalawa" | "dua" | "doi" | "două" | "dwa" | "dwie" => 2,
        "three" | "tres" | "tatlo" | "tiga" | "trei" | "trzy" => 3,
        _ => return None,
    };
    Some(n)
}

/// "for me" and its kin, as a run of words at the start of `words`, and how many it took: the
/// viewer takes it themself ("1 for me please", "nude 4 me", "un kit para mí", "zestaw dla
/// mnie", "nak satu untuk saya", "ek pink mujhe", "pink fur me hen", "un kit pentru mine",
/// "ek pink mere liye", "isang kit para sa akin").
pub fn for_me(words: &[&str]) -> Option<usize> {
    const PHRASES: [&[&str]; 16] = [
        &["for", "me"],
        &["4", "me"],
        &["to", "me"],
        &["for", "myself"],
        // Scots and Geordie.
        &["fur", "me"],
        &["fer", "me"],
        &["pentru", "mine"],
        &["mere", "liye"],
        &["para", "mí"],
        &["para", "mi"],
        &["dla", "mnie"],
        &["dla", "siebie"],
        &["untuk", "saya"],
        &["para", "sa", "akin"],
        &["para", "sakin"],
        &["mujhe"],
    ];
    let len = PHRASES.iter().find(|p| words.starts_with(p))?.len();
    // "for me too" (alone, "too" is no claim: "me too" agrees with a comment).
    Some(len + usize::from(words.get(len) == Some(&"too")))
}

/// Words that say whom a claim is for, before their name: "nude for tina", "mine for the
/// missus", "biorę dla żony", "kit fur tam", "un kit pentru Alina", "satu pink untuk farah",
/// "nude to becks ta".
/// An article may follow ("for the", "for my", "para mi novia", "para kay glo").
pub const FOR: [&str; 8] = ["for", "fur", "fer", "dla", "para", "pentru", "untuk", "to"];
/// The articles that may follow [`FOR`].
pub const FOR_ARTICLES: [&str; 4] = ["the", "my", "mi", "kay"];
/// What follows "for" without naming anyone: a time or an occasion ("red for xmas", "nude for
/// later" is buying later, not now).
pub const FOR_WHEN: [&str; 22] = [
    "now",
    "later",
    "once",
    "real",
    "sure",
    "today",
    "tonight",
    "tomorrow",
    "xmas",
    "christmas",
    "work",
    "everyday",
    "summer",
    "holiday",
    "holidays",
    "party",
    "wedding",
    "prom",
    "birthday",
    "sat",
    "saturday",
    "weekend",
];
/// After a name, the same: "wife ke liye", "didi ke liye ek".
pub const FOR_AFTER: [&str; 2] = ["ke", "liye"];
/// After a name, the viewer saying who they are: "mine steph here".
pub const HERE: &str = "here";

/// Want words: with a quantity they claim ("saya nak satu", "vreau unul", "bev wants an almond
/// pink"), without one they only want ("i want the nude so bad"). "wants", "takes" and
/// "claims" may follow the buyer's name ("shona wants one", "ifeoma takes one", "leanne
/// claims a nude"); "ambil" is Malay's "take" ("saya ambil satu").
pub const WANTS: [&str; 9] =
    ["want", "wants", "takes", "claims", "nak", "ambil", "quiero", "vreau", "chahiye"];
/// The want words that follow a name.
pub const NAMED_WANTS: [&str; 3] = ["wants", "takes", "claims"];
/// Words where a name could stand that name nobody: "who wants one", "it takes 2", "2 for
/// u", "3 for delivery?", "got 2 nudes".
pub const NOT_NAMES: [&str; 27] = [
    "who", "it", "that", "this", "what", "he", "she", "they", "everyone", "anyone", "someone", "nobody", "u",
    "you", "delivery", "shipping",
    // Before a quantity: telling of an order, asking, counting ("got 2 nudes", "only one kit").
    "got", "bought", "ordered", "had", "have", "has", "loved", "only", "are", "any", "left",
];
