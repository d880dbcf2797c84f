//! The demo shop's claims.toml read against its catalogue: the claim forms of each variety
//! chat is written in, and the sentences that only look like claims.

use super::{Matcher, Parsed};
use crate::config::builtin::{CATALOG, CLAIMS};
use crate::config::model::{Catalog, ClaimsConfig};

fn matcher() -> Matcher {
    let config: ClaimsConfig = toml::from_str(CLAIMS).expect("the built-in claims.toml");
    let catalog: Catalog = toml::from_str(CATALOG).expect("the demo catalogue");
    Matcher::new(&config, &catalog)
}

/// `qty` of `sku`, named in the comment.
fn of(sku: &str, qty: u32) -> Parsed {
    Parsed::Claim { sku: Some(sku.into()), qty, explicit: true }
}

/// One unit of the product on screen, no quantity said.
const ON_SCREEN: Parsed = Parsed::Claim { sku: None, qty: 1, explicit: false };

/// `qty` of the product on screen, the quantity said.
fn on_screen(qty: u32) -> Parsed {
    Parsed::Claim { sku: None, qty, explicit: true }
}

fn check(table: &[(&str, Parsed)]) {
    let m = matcher();
    for (text, want) in table {
        assert_eq!(&m.parse(text).0, want, "{text:?}");
    }
}

#[test]
fn claim_words_of_every_variety_claim_the_product_on_screen() {
    check(&[
        ("¡me lo llevo!", ON_SCREEN),
        ("me lo quedo 🙌", ON_SCREEN),
        ("mío porfis", ON_SCREEN),
        ("¡para mí!", ON_SCREEN),
        ("biorę", ON_SCREEN),
        ("moje moje", ON_SCREEN),
        ("dla mnie", ON_SCREEN),
        ("eu iau!", ON_SCREEN),
        ("al meu te rog", ON_SCREEN),
        ("akin na po ito ate", ON_SCREEN),
        ("mera", ON_SCREEN),
        ("le lunga", ON_SCREEN),
    ]);
}

#[test]
fn number_words_are_quantities_beside_a_claim_word() {
    check(&[
        ("akin po isa", on_screen(1)),
        ("apartame uno porfa", on_screen(1)),
        ("biorę jedną", on_screen(1)),
        ("iau și eu una", on_screen(1)),
        ("ek mera hai ji", on_screen(1)),
        ("i'll take one", on_screen(1)),
        ("akin po isang pink", of("ALMOND-PINK", 1)),
        ("me quedo un kit de pegamento", of("NAIL-GLUE-KIT", 1)),
    ]);
}

/// Forms of the training corpus the claim words first missed: "me llevo" without its "lo",
/// Tagalog's "sakin" and "para sa akin", "claiming", "put me down for", Romanian's "le iau pe
/// cele".
#[test]
fn shortened_and_spelled_out_claim_words_claim_too() {
    check(&[
        ("me llevo un kit", of("NAIL-GLUE-KIT", 1)),
        ("isang nude po para sa akin ate", of("COFFIN-NUDE", 1)),
        ("kit din po sakin ate", of("NAIL-GLUE-KIT", 1)),
        ("sakin isang pink ate! pia po", of("ALMOND-PINK", 1)),
        ("claiming one pink for bron please", of("ALMOND-PINK", 1)),
        ("le iau pe cele roz", of("ALMOND-PINK", 1)),
        ("put me down for one kit", of("NAIL-GLUE-KIT", 1)),
        ("put me down for a red pls", of("STILETTO-RED", 1)),
    ]);
}

/// Terms of address, thanks and particles of each variety at a claim's end or beside it
/// ("love", "diolch", Singapore English's "can", Malay's "tu", Tagalog's "pong"), and "for"
/// in Malay and Tagalog ("untuk farah", "para kay glo").
#[test]
fn words_around_a_claim_of_every_variety_name_nothing() {
    check(&[
        ("one kit for carol love", of("NAIL-GLUE-KIT", 1)),
        ("one pink for lowri diolch 💕", of("ALMOND-PINK", 1)),
        ("i take one pink can", of("ALMOND-PINK", 1)),
        ("nude one for me can", of("COFFIN-NUDE", 1)),
        ("kak saya nak satu pink tu", of("ALMOND-PINK", 1)),
        ("satu pink untuk farah kak 🙏", of("ALMOND-PINK", 1)),
        ("isa pong kit para sa akin", of("NAIL-GLUE-KIT", 1)),
        ("isang kit po para kay glo", of("NAIL-GLUE-KIT", 1)),
    ]);
    // A price is no quantity, even where a clause could end inside it.
    check(&[("french is 7.99 yeah? or is it dearer now", Parsed::NotAClaim)]);
    check(&[("kit is 5.49 yeah? might grab one", Parsed::NotAClaim)]);
    // Singapore English asks for it with "can?", and that claims; praise does not.
    check(&[("nude for me can?", of("COFFIN-NUDE", 1)), ("the pink one is gorgeous", Parsed::NotAClaim)]);
}

#[test]
fn a_claim_word_beside_a_product_claims_it_in_either_order() {
    check(&[
        ("me lo llevo el nude", of("COFFIN-NUDE", 1)),
        ("biorę ten nude dla siebie 🙋‍♀️", of("COFFIN-NUDE", 1)),
        ("akin din po yung red", of("STILETTO-RED", 1)),
        ("almond pink mera", of("ALMOND-PINK", 1)),
        ("coffin nude le lunga", of("COFFIN-NUDE", 1)),
        ("the glue kit is mine steph here", of("NAIL-GLUE-KIT", 1)),
        // A word of one product's name names it: "kit", "milky".
        ("kit mine ta", of("NAIL-GLUE-KIT", 1)),
        ("MINE the milky one!!", of("COFFIN-NUDE", 1)),
    ]);
}

#[test]
fn other_languages_claim_words_beside_words_we_do_not_sell_claim_the_product_on_screen() {
    check(&[
        ("al meu francezul", ON_SCREEN),
        ("me la quedo, la francesa", ON_SCREEN),
        ("kitul e al meu!", ON_SCREEN),
        ("biorę te migdałki", ON_SCREEN),
    ]);
}

#[test]
fn the_catalogues_aliases_in_other_languages_name_the_product() {
    check(&[
        ("iau roz!!", of("ALMOND-PINK", 1)),
        ("klej dla mnie!", of("NAIL-GLUE-KIT", 1)),
        ("el rosa para mí", of("ALMOND-PINK", 1)),
        ("moje czerwone 🙋‍♀️", of("STILETTO-RED", 1)),
        ("dla mnie jeden różowy!", of("ALMOND-PINK", 1)),
        ("nak merah satu kak", of("STILETTO-RED", 1)),
        ("eu! unul nud", of("COFFIN-NUDE", 1)),
    ]);
}

#[test]
fn for_me_claims_and_so_does_naming_whom_it_is_for() {
    check(&[
        ("nude for me 🙋‍♀️", of("COFFIN-NUDE", 1)),
        ("one for me too", on_screen(1)),
        ("1 for me please hun", on_screen(1)),
        ("2 pinks for me", of("ALMOND-PINK", 2)),
        ("un kit para mí", of("NAIL-GLUE-KIT", 1)),
        ("nak satu untuk saya kak!", on_screen(1)),
        ("ek pink mujhe", of("ALMOND-PINK", 1)),
        // "4 me" is "for me", not four.
        ("MINE pink 4 me 🙋‍♀️", of("ALMOND-PINK", 1)),
        ("glue kit for amy", of("NAIL-GLUE-KIT", 1)),
        ("one glue kit for the missus please", of("NAIL-GLUE-KIT", 1)),
        ("mine for the kit", of("NAIL-GLUE-KIT", 1)),
        ("biorę dla żony", ON_SCREEN),
        ("mine, wife ke liye", ON_SCREEN),
    ]);
}

#[test]
fn a_want_word_claims_with_a_quantity_and_so_does_a_product_with_a_number() {
    check(&[
        ("saya nak satu", on_screen(1)),
        ("vreau unul! 🙋‍♀️", on_screen(1)),
        ("nak 1 pink kak", of("ALMOND-PINK", 1)),
        ("bev wants an almond pink please", of("ALMOND-PINK", 1)),
        ("shona wants one 🙋‍♀️", on_screen(1)),
        ("2 kits please", of("NAIL-GLUE-KIT", 2)),
        ("glue kit x2", of("NAIL-GLUE-KIT", 2)),
    ]);
}

#[test]
fn a_claim_said_in_one_clause_of_several_claims() {
    check(&[
        // The claim, then a question or an address.
        ("biorę! wyślecie do Krakowa?", ON_SCREEN),
        ("me lo llevo! llega a España?", ON_SCREEN),
        ("2 nudes please, hannah", of("COFFIN-NUDE", 2)),
        ("apártame uno, soy Caro", on_screen(1)),
        ("akin po isa, para sa pamangkin ko", on_screen(1)),
        // Chat, then the claim.
        ("ok it works now, mine!", ON_SCREEN),
        ("right, sold the french, she'll love these", of("SQUARE-FRENCH", 1)),
        ("¡yo! el nude para mí", of("COFFIN-NUDE", 1)),
    ]);
    let m = matcher();
    // The whole says it is no claim, whatever a clause says.
    for text in ["sold out! mine came today", "omg, not mine, the pink", "me too, sold out already"] {
        assert_eq!(m.parse(text).0, Parsed::NotAClaim, "{text:?}");
    }
}

#[test]
fn me_for_me_and_take_words_of_more_varieties_claim() {
    check(&[
        // Spanish and Romanian "me" beside a quantity or a product.
        ("yo quiero uno!", on_screen(1)),
        ("yo uno!", on_screen(1)),
        ("și eu un kit", of("NAIL-GLUE-KIT", 1)),
        // Scots, Romanian and Hindi "for me"; Scots "twa".
        ("pink fur me hen!", of("ALMOND-PINK", 1)),
        ("twa kits fur me please", of("NAIL-GLUE-KIT", 2)),
        ("un kit pentru mine", of("NAIL-GLUE-KIT", 1)),
        ("ek pink mere liye bhi", of("ALMOND-PINK", 1)),
        ("un kit pentru Alina vă rog", of("NAIL-GLUE-KIT", 1)),
        // Malay "ambil", Singapore "chope", a name with "claims".
        ("saya ambil satu nude kak", of("COFFIN-NUDE", 1)),
        ("chope one nude", of("COFFIN-NUDE", 1)),
        ("SHAZ CLAIMS ONE 🙌", on_screen(1)),
        ("leanne claims a nude 🙋‍♀️", of("COFFIN-NUDE", 1)),
        ("sa akin po ang isang nude", of("COFFIN-NUDE", 1)),
    ]);
}

#[test]
fn a_product_with_a_please_is_pleaded_for_and_me_alone_is_only_me() {
    let m = matcher();
    assert_eq!(m.pleads_for("glue kit please"), Some("NAIL-GLUE-KIT"));
    assert_eq!(m.pleads_for("kit please, for the tabs"), Some("NAIL-GLUE-KIT"));
    assert_eq!(m.pleads_for("coffin nude pls"), Some("COFFIN-NUDE"));
    for not in ["glue kit?", "glue kit please?", "show the kit please", "glue kit", "please"] {
        assert_eq!(m.pleads_for(not), None, "{not:?}");
    }
    // Alone they are chat; the live sale's rules read them as "me!".
    for alone in ["yo!", "eu! eu!", "¡YO!"] {
        assert!(super::grammar::live_me(alone), "{alone:?}");
        assert_eq!(m.parse(alone).0, Parsed::NotAClaim, "{alone:?}");
    }
    for not in ["EU?", "yo everyone", "yo yo what's up", "🙋"] {
        assert!(!super::grammar::live_me(not), "{not:?}");
    }
}

#[test]
fn sentences_that_only_contain_the_words_are_not_claims() {
    let m = matcher();
    for text in [
        // Wanting without a number, or buying later.
        "i want the nude so bad",
        "glitter chahiye",
        "lo quiero ya 😍",
        "achha hai, le lungi baad mein",
        "nude for later",
        // About the stock or an order already had.
        "SOLD OUT ALREADY 😭",
        "sold out?!",
        "mine came in 2 days",
        "you can't tell mine aren't real",
        "mera order ho gaya 🙏",
        // A product named, nothing claimed: "one" is not a quantity here, nor "xmas" a buyer.
        "the pink one",
        "nude one also want, later got sale anot",
        "nude wala chahiye mujhe, office ke liye perfect",
        "why do my nails always look stubby, is it me 😂",
        "uh solo Reino Unido, bueno, me quedo mirando igual",
        "red for xmas",
        "glitter pls",
        "works for me paige, try closing the app",
        "bit much for me but gorgeous",
        "yo everyone",
        // English chat that reads like another language's claim word, or a claim denied,
        // or agreeing, or a price asked.
        "yo!",
        "EU?",
        "nie biorę",
        "nu e al meu",
        "mío no",
        "not mine lol",
        "me 2",
        "is the kit £10?",
        "who wants one",
        "it takes 2",
        "2 for u",
        "vreau și eu setul ăsta",
        "is it 2.99 for real",
    ] {
        assert!(matches!(m.parse(text).0, Parsed::NotAClaim | Parsed::Unmatched), "{text:?}");
    }
}

#[test]
fn a_raised_hand_with_only_emoji_beside_it_is_a_hand() {
    for hand in ["✋✋✋", "🙋🏽", "🙋‍♀️🌸", "🙌🏼🙋🏼‍♀️", "✋🏽🌻"] {
        assert!(Matcher::raised_hand(hand), "{hand:?}");
    }
    for not in ["🙋 hi", "🙋‍♀️?", "✋ 2", "🌸", ""] {
        assert!(!Matcher::raised_hand(not), "{not:?}");
    }
}

/// Whom a claim is for ("for", "to") may take a second name or a town, or "too", and nothing
/// more (after "to", Polish "this is" too, one name only); a comment that opens as a question
/// with no claim word asks.
#[test]
fn a_claim_for_someone_may_name_them_in_full() {
    check(&[
        ("nude for jo in falmouth please x", of("COFFIN-NUDE", 1)),
        ("one kit for claire in inverness please", of("NAIL-GLUE-KIT", 1)),
        ("one nude for auntie pat", of("COFFIN-NUDE", 1)),
        ("pink for jolene too, may as well", of("ALMOND-PINK", 1)),
        ("sod it, one glitter for steph bolton, new years sorted", of("OVAL-GLITTER", 1)),
        ("nude to becks ta", of("COFFIN-NUDE", 1)),
        ("go on, sold the red to dee", of("STILETTO-RED", 1)),
        ("ten brokat to jakiś sztos ✨", Parsed::NotAClaim),
        ("red for xmas", Parsed::NotAClaim),
        ("pink for the weekend please", Parsed::NotAClaim),
        ("is the glue ok for sensitive skin", Parsed::NotAClaim),
        ("do glue kit chahiye, mine", of("NAIL-GLUE-KIT", 1)),
    ]);
}

/// A name before a quantity and a product says whom the claim is for; a word telling of an
/// order or counting stock does not.
#[test]
fn a_name_may_open_a_claim_before_its_quantity() {
    check(&[
        ("rachelle one kit pls", of("NAIL-GLUE-KIT", 1)),
        ("yvonne one nude please", of("COFFIN-NUDE", 1)),
        ("got 2 nudes", Parsed::NotAClaim),
        ("bought one pink", Parsed::NotAClaim),
        ("only one kit left", Parsed::NotAClaim),
        ("omg 2", Parsed::NotAClaim),
    ]);
}
