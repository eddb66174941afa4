//! The one wall clock: every timestamp the program stores or compares comes from here.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, as the RFC 3339 text stored in `created_at`/`at` columns (UTC, e.g.
/// `2026-01-02T03:04:05.123456Z`).
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Seconds since the Unix epoch (0 if the clock is set before 1970).
pub fn unix_seconds() -> i64 {
    since_epoch().map_or(0, |d| d.as_secs() as i64)
}

/// Milliseconds since the Unix epoch (0 if the clock is set before 1970).
pub fn unix_millis() -> i64 {
    since_epoch().map_or(0, |d| d.as_millis() as i64)
}

fn since_epoch() -> Option<std::time::Duration> {
    SystemTime::now().duration_since(UNIX_EPOCH).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_readings_agree_on_the_same_moment() {
        let secs = unix_seconds();
        let millis = unix_millis();
        let text = now_rfc3339();
        let parsed = OffsetDateTime::parse(&text, &Rfc3339)
            .unwrap()
            .unix_timestamp();
        assert!((millis / 1000 - secs).abs() <= 1, "{millis} vs {secs}");
        assert!((parsed - secs).abs() <= 1, "{text} vs {secs}");
        assert!(text.ends_with('Z'), "{text}");
    }
}
