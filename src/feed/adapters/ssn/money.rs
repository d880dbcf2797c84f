//! Donations as Social Stream Ninja shows them ("$5.00", "€3,50", "100 bits", "25 coins"):
//! their amount and currency, read when they can be, never guessed.

use std::str::FromStr;

use rust_decimal::Decimal;

/// Reads a donation as SSN shows it: "$5.00", "€3,50", "5 USD", "$50.00 USD", "1.234,56 €",
/// "100 bits", "25 coins". The amount and its currency (an ISO code where a symbol or code
/// says it, else the unit's name in capitals; empty when none is given). `None` when no
/// amount can be read (or it is negative).
pub fn parse_donation(text: &str) -> Option<(Decimal, String)> {
    let text = text.trim();
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let (prefix, rest) = text.split_at(start);
    if prefix.contains(['-', '\u{2212}']) {
        return None;
    }
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(end);
    let amount = parse_amount(number.trim_end_matches(['.', ',']))?;
    let currency = currency_after(suffix).or_else(|| currency_before(prefix)).unwrap_or_default();
    Some((amount, currency))
}

/// "1,234.56", "1.234,56", "3,50", "1,000", "5": the last separator is the decimal point
/// when both appear; a lone comma is one when one or two digits follow it.
fn parse_amount(number: &str) -> Option<Decimal> {
    let (commas, dots) = (number.matches(',').count(), number.matches('.').count());
    let plain = match (commas, dots) {
        (0, 0 | 1) => number.to_owned(),
        (0, _) => number.replace('.', ""),
        (1, 0) => {
            let decimals = number.rsplit(',').next().map_or(0, str::len);
            if decimals <= 2 { number.replace(',', ".") } else { number.replace(',', "") }
        }
        (_, 0) => number.replace(',', ""),
        _ => {
            let last_comma = number.rfind(',')?;
            let last_dot = number.rfind('.')?;
            if last_dot > last_comma && dots == 1 {
                number.replace(',', "")
            } else if last_comma > last_dot && commas == 1 {
                number.replace('.', "").replace(',', ".")
            } else {
                return None;
            }
        }
    };
    let amount = Decimal::from_str(&plain).ok()?;
    (!amount.is_sign_negative()).then_some(amount)
}

/// Currency symbols and the ISO codes they stand for, as donations show them.
const SYMBOLS: &[(&str, &str)] = &[
    ("$", "USD"),
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("NT$", "TWD"),
    ("SG$", "SGD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("￥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₱", "PHP"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₫", "VND"),
    ("₪", "ILS"),
    ("฿", "THB"),
    ("₦", "NGN"),
    ("ZŁ", "PLN"),
];

fn symbol(token: &str) -> Option<String> {
    let token = token.to_uppercase();
    SYMBOLS.iter().find(|(s, _)| *s == token).map(|(_, code)| (*code).to_owned())
}

/// The currency named after an amount: a symbol ("3,50 €"), else a code or a unit word
/// ("5 USD", "100 bits"), in capitals; a unit word in its plural, so that "1 coin" and
/// "25 coins" are one currency.
fn currency_after(suffix: &str) -> Option<String> {
    let token = suffix.split_whitespace().next()?;
    symbol(token).or_else(|| {
        let word: String = token.chars().take_while(|c| c.is_alphabetic()).take(16).collect();
        (word.chars().count() >= 2).then(|| unit(&word))
    })
}

/// Units SSN's sources count in besides money, singular: their plural is the currency.
const UNITS: &[&str] = &["bit", "coin", "kick", "jewel", "star", "diamond", "rose", "gift", "point"];

/// A unit word as a currency: "coin", "Coins", "KICKs" → `COINS`, `COINS`, `KICKS`; any
/// other word in capitals ("usd" → `USD`).
fn unit(word: &str) -> String {
    let lower = word.to_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    if UNITS.contains(&singular) { format!("{singular}s").to_uppercase() } else { word.to_uppercase() }
}

/// The currency named before an amount: a symbol ("$5", "CA$5") or a code ("USD 5").
fn currency_before(prefix: &str) -> Option<String> {
    let token = prefix.split_whitespace().next_back()?;
    symbol(token).or_else(|| {
        (token.len() == 3 && token.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| token.to_ascii_uppercase())
    })
}
