//! Dates as the store keeps them (ISO 8601 strings, as given) to the forms feeds require.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::fmt::rfc2822::DateTimePrinter;
use jiff::tz::Offset;

/// The instant an ISO 8601 date names: `2024-05-03T10:00:00Z` or with an offset, a local
/// date-time without one, or a bare date. A time without an offset, and a bare date (taken
/// as its midnight), are read as UTC. Anything else is `None`.
pub(crate) fn parse(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let dt = match s.parse::<DateTime>() {
        Ok(dt) => dt,
        Err(_) => s
            .parse::<Date>()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
    };
    Offset::UTC.to_timestamp(dt).ok()
}

/// RFC 822 (as RFC 2822/9110 write it, in GMT), for RSS: `Fri, 03 May 2024 10:00:00 GMT`.
pub(crate) fn rfc822(ts: Timestamp) -> Option<String> {
    DateTimePrinter::new().timestamp_to_rfc9110_string(&ts).ok()
}

/// RFC 3339 in UTC, for Atom and JSON Feed: `2024-05-03T10:00:00Z`.
pub(crate) fn rfc3339(ts: Timestamp) -> String {
    ts.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_dates_in_every_form() {
        let at = |s| parse(s).map(rfc3339);
        assert_eq!(at("2024-05-03").as_deref(), Some("2024-05-03T00:00:00Z"));
        assert_eq!(
            at("2024-05-03T10:00:00Z").as_deref(),
            Some("2024-05-03T10:00:00Z")
        );
        assert_eq!(
            at("2024-05-03T17:00:00+07:00").as_deref(),
            Some("2024-05-03T10:00:00Z")
        );
        assert_eq!(
            at(" 2024-05-03T10:00:00 ").as_deref(),
            Some("2024-05-03T10:00:00Z")
        );
        for bad in ["", "yesterday", "2024-13-01", "03/05/2024", "2024-02-30"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rss_dates_are_rfc822() {
        let ts = parse("2024-05-03T10:00:00Z").unwrap();
        assert_eq!(rfc822(ts).as_deref(), Some("Fri, 03 May 2024 10:00:00 GMT"));
    }
}
