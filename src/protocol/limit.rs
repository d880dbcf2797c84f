//! How many messages a platform takes, as `settings.toml` and the platforms say it: at
//! most so many in any window of time. The feed client keeps to it (its send window); the
//! config reads it; an adapter knows its platform's.

use std::time::Duration;

/// At most `max` messages in any `per` long stretch of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimit {
    /// Messages allowed per window (a limit of 0 is read as 1: a queue that never moves
    /// would hold commands forever).
    pub max: u32,
    /// The window's length.
    pub per: Duration,
}

impl SendLimit {
    /// `max` messages per `per`.
    pub const fn new(max: u32, per: Duration) -> Self {
        SendLimit { max, per }
    }

    /// The most messages one window holds: never fewer than one.
    pub fn cap(self) -> usize {
        self.max.max(1) as usize
    }

    /// Reads a limit as `settings.toml` writes it: `20/30s` is 20 messages in any 30 seconds,
    /// `100/1m` 100 in any minute. The window is 1 s to 1 hour; `off` is no limit (`None`).
    pub fn parse(text: &str) -> Result<Option<SendLimit>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || format!("`{text}` is not a send limit like \"20/30s\"");
        let (max, per) = text.split_once('/').ok_or_else(bad)?;
        let max: u32 = max.trim().parse().map_err(|_| bad())?;
        let secs = span_secs(per).ok_or_else(bad)?;
        if max == 0 {
            return Err(format!("`{text}` lets no message through"));
        }
        if !(1..=3600).contains(&secs) {
            return Err(format!("`{text}`: the window must be from 1 second to 60 minutes"));
        }
        Ok(Some(SendLimit::new(max, Duration::from_secs(secs))))
    }
}

impl std::fmt::Display for SendLimit {
    /// As `settings.toml` writes it: `20/30s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}s", self.max, self.per.as_secs())
    }
}

/// Seconds in a span as the settings write it: `30s`, `2m`, or a bare unit for one (`m`).
pub fn span_secs(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (n, unit) = text.split_at(split);
    let n: u64 = if n.is_empty() { 1 } else { n.parse().ok()? };
    match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(n),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(n.saturating_mul(60)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn limits_read_as_settings_write_them() {
        let limit = |max, secs| Ok(Some(SendLimit::new(max, Duration::from_secs(secs))));
        assert_eq!(SendLimit::parse("20/30s"), limit(20, 30));
        assert_eq!(SendLimit::parse(" 100 / 1m "), limit(100, 60));
        assert_eq!(SendLimit::parse("5/min"), limit(5, 60));
        assert_eq!(SendLimit::parse("3/10 seconds"), limit(3, 10));
        assert_eq!(SendLimit::parse("OFF"), Ok(None));
        for bad in ["20", "20/30", "x/30s", "20/30h", "-1/30s", "20/-3s", ""] {
            assert!(SendLimit::parse(bad).unwrap_err().contains("is not a send limit"), "{bad}");
        }
        assert!(SendLimit::parse("0/30s").unwrap_err().contains("no message"));
        assert!(SendLimit::parse("20/0s").unwrap_err().contains("1 second to 60 minutes"));
        assert!(SendLimit::parse("20/61m").is_err());
        assert_eq!(SendLimit::new(20, 30 * SECOND).to_string(), "20/30s");
    }
}
