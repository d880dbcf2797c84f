//! Small formatting rules every report format shares: times, percentages, escaping.

use rust_decimal::Decimal;

use crate::desk::money;
use crate::protocol::sanitize::is_dropped;

/// Seconds as `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    if s >= 3600 {
        format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{sign}{}:{:02}", s / 60, s % 60)
    }
}

/// An optional time offset, or a dash.
pub fn clock_or_dash(secs: Option<i64>) -> String {
    secs.map_or_else(|| "–".into(), clock)
}

/// An amount with its currency's symbol.
pub fn amount(d: Decimal, currency: &str) -> String {
    money::format(d, currency)
}

/// A percentage with one decimal.
pub fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

/// Text safe inside a Markdown table cell: no line breaks, no pipes, and nothing a renderer
/// would read as markup or raw HTML, and nothing invisible (viewer names and comments are
/// untrusted).
pub fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if is_dropped(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Text safe in HTML content and attribute values, with nothing invisible in it.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_dropped(c) && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_minutes_or_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(75), "1:15");
        assert_eq!(clock(3600 + 62), "1:01:02");
        assert_eq!(clock(-5), "-0:05");
        assert_eq!(clock_or_dash(None), "–");
    }

    #[test]
    fn untrusted_text_cannot_break_a_table_or_inject_markup() {
        assert_eq!(md_cell("a|b\n<img src=x onerror=alert(1)>"), "a\\|b &lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(md_cell("**[click](javascript:x)**"), "\\*\\*\\[click\\](javascript:x)\\*\\*");
        assert_eq!(
            html("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(md_cell("m\u{fff9}ar\u{200b}ia\u{2028}"), "maria");
        assert_eq!(html("a\u{202e}b\u{fffa}\nc"), "ab\nc");
    }
}
