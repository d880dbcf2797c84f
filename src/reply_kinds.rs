//! The kinds of comment a canned reply answers, as the reply model reads them: the kinds of
//! the replies of the corpus the model is trained on. A shop's reply answers one by its
//! `answers`, its id or a tag. Shared by the config (to check `answers`), the desk and the
//! build script that trains the model, so it uses nothing but `std`.

/// Every kind, in the order of the reply model's classes after "none".
pub const REPLY_KINDS: [&str; 15] = [
    "price",
    "postage",
    "delivery-time",
    "sizing",
    "wear",
    "glue-safe",
    "glue-kit",
    "how-to-buy",
    "order-problem",
    "welcome",
    "thanks",
    "sale-preheat",
    "sale-start",
    "sold-out",
    "sale-ended",
];

/// How many of [`REPLY_KINDS`], from the first, answer a question (a price, the postage, a
/// size... up to how to buy): the rest answer a problem, a greeting or the sale.
const ASKED: usize = 8;

/// Whether a kind of reply answers a question: offered only to a comment that asks one.
pub fn answers_a_question(kind: &str) -> bool {
    REPLY_KINDS[..ASKED].contains(&kind)
}
