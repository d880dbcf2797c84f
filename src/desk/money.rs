//! Money as the operator reads it: decimal amounts with their currency's symbol.

use rust_decimal::Decimal;

/// Formats `amount` in `currency` the way a shop shows prices: `£4.99`, `12.00 CHF`.
pub fn format(amount: Decimal, currency: &str) -> String {
    let amount = amount.round_dp(2);
    match symbol(currency) {
        Some(symbol) => format!("{symbol}{amount:.2}"),
        None => format!("{amount:.2} {currency}"),
    }
}

/// The symbol a currency's prices are written with, for the currencies shops show one for.
pub fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "GBP" => "£",
        "USD" | "AUD" | "CAD" | "SGD" | "NZD" => "$",
        "EUR" => "€",
        "JPY" => "¥",
        "PHP" => "₱",
        "INR" => "₹",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_show_with_symbols_and_two_decimals() {
        assert_eq!(format("4.99".parse().unwrap(), "GBP"), "£4.99");
        assert_eq!(format("12".parse().unwrap(), "EUR"), "€12.00");
        assert_eq!(format("3.5".parse().unwrap(), "CHF"), "3.50 CHF");
    }
}
