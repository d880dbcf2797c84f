//! Word classes the triage model reads besides the words themselves: an order, time gone by,
//! a thing broken or missing, money taken, an app failing... in each language of the chat.
//! An n-gram is learnt only from the comments it was seen in; a class is learnt from all its
//! words at once, so "paczka nie doszła" reads like "parcel never came" though the model
//! saw few Polish complaints, and a pair of classes ("order" with "still" and "not") is a
//! feature of its own. Words are written as [`crate::text::normalize`] makes them (lower
//! case, no apostrophes); one ending in `*` is a stem, matching every word it begins.
//!
//! Included by the build script too, so it uses nothing but `std`.

/// The classes, in the order of their bits. Each list spans the corpus's languages:
/// English, Tagalog, Malay, Spanish, Hindi in Latin letters, Polish, Romanian.
#[rustfmt::skip]
pub const CLASSES: [&[&str]; 12] = [
    // An order, a parcel, its tracking.
    &[
        "order*", "parcel*", "package*", "delivery", "deliveries", "tracking", "courier*", "evri",
        "hermes", "dpd", "yodel", "royal", "depot", "pedido*", "paquete*", "seguimiento", "envio",
        "envío", "paczk*", "zamówien*", "zamowien*", "przesyłk*", "przesylk*", "kurier*", "colet*",
        "comand*", "livrar*", "curier*", "pesanan", "bungkus*", "barang", "orderan", "padala",
        "parsel", "kahon", "dabba", "box",
    ],
    // Still, not yet, since, waiting.
    &[
        "still", "yet", "since", "waiting", "waited", "wait", "ages", "weeks", "todavía",
        "todavia", "aún", "aun", "sigue", "sigo", "esperando", "llevo", "lleva", "pa", "rin",
        "din", "hanggang", "ngayon", "belum", "lagi", "masih", "tunggu", "abhi", "tak", "tk", "ab",
        "intezaar", "dalej", "nadal", "wciąż", "wciaz", "jeszcze", "czekam", "încă", "inca",
        "aștept", "astept", "tot",
    ],
    // Not, never, nothing.
    &[
        "not", "no", "never", "nothing", "hasnt", "havent", "hadnt", "didnt", "doesnt", "dont",
        "wont", "cant", "isnt", "wasnt", "aint", "nowhere", "none", "nada", "nunca", "ni", "sin",
        "wala", "hindi", "di", "tak", "takde", "tiada", "tidak", "nahi", "nahin", "nai", "nie",
        "nic", "nigdy", "nu", "nimic", "niciodată",
    ],
    // Broken, come off, missing, wrong, spoilt.
    &[
        "broke*", "snap*", "crack*", "chip*", "smash*", "bent", "damag*", "missing", "wrong",
        "empty", "dried", "dry", "solid", "fell", "falling", "popped", "lift*", "peel*", "wonky",
        "patchy", "soaked", "wet", "faulty", "rubbish", "useless", "instead", "minus", "roto",
        "rota", "rotas", "rotos", "despeg*", "vacía", "vacia", "falta*", "equivoca*", "seca",
        "mojad*", "sira", "nasira", "natanggal", "tanggal", "natuyo", "mali", "kulang", "basa",
        "rosak", "pecah", "patah", "tercabut", "salah", "kurang", "toot", "tut", "galat", "kharab",
        "nikal", "gayab", "zepsu*", "połam*", "polam*", "odpad*", "odkle*", "brak*", "pęk*", "zły",
        "złe", "zamiast", "mokr*", "rupt*", "dezlip*", "greșit*", "gresit*", "lipsă", "lipsa",
        "lipse*", "stricat*", "spart*",
    ],
    // Money taken, a refund.
    &[
        "refund*", "charged", "charge", "twice", "money", "account", "bank", "paid", "reembols*",
        "devoluc*", "cobr*", "dinero", "pagué", "pague", "zwrot*", "pieniąd*", "pieniad*", "konto",
        "zapłaci*", "zaplaci*", "banii", "bani", "rambursa*", "plătit", "platit", "paise", "paisa",
        "wapas", "duit", "bayad", "binayaran", "pera", "balik",
    ],
    // The app, checkout or a page failing.
    &[
        "app", "checkout", "error", "crash*", "froze", "frozen", "freez*", "glitch*", "loading",
        "spinning", "stuck", "timed", "times", "keeps", "button", "paypal", "klarna", "aplicac*",
        "deja", "funciona", "carga", "nag", "ayaw", "gumagana", "boleh", "aplikasi", "chal",
        "raha", "rahi", "działa", "dziala", "aplikacj*", "zawiesza", "merge", "aplicați*",
        "aplicatia", "aplicația", "eroare", "blocat*",
    ],
    // Days, weeks, dates gone by.
    &[
        "day", "days", "week", "weeks", "month", "months", "fortnight", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "días", "dias",
        "semana*", "mes", "araw", "linggo", "buwan", "hari", "minggu", "bulan", "din", "hafte",
        "hafta", "mahina", "dni", "dzień", "tydzień", "tygodni*", "miesiąc*", "zile", "săptămân*",
        "saptaman*", "lună", "luna",
    ],
    // A price, a cost.
    &[
        "much", "price*", "cost*", "hm", "hmuch", "pounds", "quid", "cuánto", "cuanto", "cuesta", "precio*",
        "magkano", "presyo", "berapa", "harga", "kitna", "kitne", "kitni", "daam", "ile", "kosztuj*", "cena",
        "cen*", "cât", "cat", "costă", "costa", "preț*", "pret*",
    ],
    // Wanting, taking, buying.
    &[
        "want*", "need*", "take", "buy*", "grab*", "basket", "cart", "quiero", "quero", "llevo", "compr*",
        "gusto", "kukunin", "bibili", "nak", "mahu", "beli", "ambil", "chahiye", "lena", "loongi", "lungi",
        "kharid*", "chcę", "chce", "wezm*", "kupi*", "biorę", "biore", "vreau", "iau", "cumpăr*", "cumpar*",
    ],
    // Sending, posting, shipping.
    &[
        "ship*", "post", "postage", "posting", "deliver", "send", "sent", "p", "uk", "abroad",
        "envía*", "envia*", "envío*", "envio*", "mandan", "hacen", "ipadala", "padala", "hantar",
        "pos", "kirim", "penghantaran", "bhej*", "bhijwa*", "wysył*", "wysyl*", "dostaw*",
        "trimite*", "livra*", "expedia*",
    ],
    // Arrived, came, received.
    &[
        "arrived", "arrive", "came", "come", "got", "received", "delivered", "here", "turned",
        "showed", "llegó", "llego", "llegado", "llegaron", "recibí", "recibi", "dumating",
        "natanggap", "sampai", "tiba", "dapat", "terima", "aaya", "aya", "aayi", "mila",
        "pahuncha", "doszł*", "doszl*", "przyszł*", "przyszl*", "dotarł*", "dotarl*", "dostał*",
        "dostal*", "ajuns", "venit", "primit", "sosit",
    ],
    // Praise in strong words, which also reads like a problem.
    &[
        "obsessed", "gorgeous", "stunning", "beautiful", "love", "lush", "peng", "gorg", "amazing",
        "unreal", "insane", "sick", "criminal", "illegal", "dead", "dying", "killer", "gutted",
        "preciosas", "preciosa", "brutal*", "ganda", "maganda", "cantik", "lawa", "mast",
        "zabójcz*", "piękn*", "piekn*", "sztos", "superb*", "bestial*", "frumoase", "frumos",
    ],
];

/// [`CLASSES`] by the hash of each word and stem. The hash is the triage's own word hash,
/// given by the caller, so a comment's words are hashed once: byte by byte, each prefix's
/// hash is looked up as a stem on the way to the whole word's.
#[derive(Default)]
pub struct Lexicon {
    /// (hash of a whole word, its classes), sorted.
    words: Vec<(u64, u16)>,
    /// (hash of a stem, its classes), sorted, and the byte lengths stems have (bit `n`).
    stems: Vec<(u64, u16)>,
    stem_lengths: u64,
}

impl Lexicon {
    /// The lexicon of [`CLASSES`], hashed by `hash`.
    pub fn new(hash: impl Fn(&[u8]) -> u64) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (class, words) in CLASSES.iter().enumerate() {
            for word in *words {
                let (table, text) = match word.strip_suffix('*') {
                    Some(stem) => {
                        lexicon.stem_lengths |= 1 << stem.len().min(63);
                        (&mut lexicon.stems, stem)
                    }
                    None => (&mut lexicon.words, *word),
                };
                table.push((hash(text.as_bytes()), 1 << class));
            }
        }
        for table in [&mut lexicon.words, &mut lexicon.stems] {
            table.sort_unstable();
            // A word in two classes has both bits.
            table.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 |= later.1;
                }
                same
            });
        }
        lexicon
    }

    /// The classes of a word: of every stem it begins with, and of itself. `hash` takes the
    /// word's bytes one after the other and gives the hash of the bytes so far, so the
    /// caller keeps the whole word's hash when it is done.
    pub fn classes(&self, word: &str, mut hash: impl FnMut(u8) -> u64) -> u16 {
        let mut classes = 0;
        let mut h = 0;
        for (n, &b) in word.as_bytes().iter().enumerate() {
            h = hash(b);
            let len = n + 1;
            if len < 64 && self.stem_lengths & (1 << len) != 0 && word.is_char_boundary(len) {
                classes |= find(&self.stems, h);
            }
        }
        classes | find(&self.words, h)
    }
}

fn find(table: &[(u64, u16)], hash: u64) -> u16 {
    table.binary_search_by_key(&hash, |&(h, _)| h).map_or(0, |i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
    }

    fn classes(lexicon: &Lexicon, word: &str) -> u16 {
        let mut read = Vec::new();
        lexicon.classes(word, |b| {
            read.push(b);
            fnv(&read)
        })
    }

    #[test]
    fn every_entry_is_written_as_comments_are_read() {
        for (class, words) in CLASSES.iter().enumerate() {
            for word in *words {
                let text = word.strip_suffix('*').unwrap_or(word);
                assert_eq!(crate::text::normalize(text), text, "class {class}: {word:?}");
                assert!(!text.is_empty() && !text.contains(' '), "class {class}: {word:?}");
            }
        }
    }

    #[test]
    fn stems_match_every_ending_and_words_only_themselves() {
        let lexicon = Lexicon::new(fnv);
        let (order, still, not, broken, arrived) = (1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 10);
        for word in ["parcel", "parcels", "paczka", "paczki", "zamówienie", "comanda"] {
            assert_eq!(classes(&lexicon, word), order, "{word}");
        }
        assert_eq!(classes(&lexicon, "snapped") & broken, broken);
        assert_eq!(classes(&lexicon, "doszła"), arrived);
        assert_eq!(classes(&lexicon, "nie"), not);
        // "tak" is "not" in Malay and "until" in Hindi: both bits.
        assert_eq!(classes(&lexicon, "tak"), still | not);
        // A whole word is not a stem: "yet" does not match "yeti", nor "box" "boxing".
        assert_eq!(classes(&lexicon, "yeti"), 0);
        assert_eq!(classes(&lexicon, "boxing"), 0);
        assert_eq!(classes(&lexicon, "hello"), 0);
    }
}
