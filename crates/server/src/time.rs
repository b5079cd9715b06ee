//! Dates in the desk's time zone: showing stored timestamps and reading date filters.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// The time zone name is not in the bundled time zone database.
#[derive(Debug, thiserror::Error)]
#[error("unknown time zone `{0}` (expected an IANA name such as Asia/Ho_Chi_Minh)")]
pub struct UnknownTimeZone(pub String);

/// The IANA time zone `name`.
pub(crate) fn zone(name: &str) -> Result<TimeZone, UnknownTimeZone> {
    TimeZone::get(name).map_err(|_| UnknownTimeZone(name.to_string()))
}

/// UTC+7, the default zone's offset, should the bundled database lack it.
pub(crate) fn fallback_zone() -> TimeZone {
    TimeZone::fixed(jiff::tz::offset(7))
}

/// A stored date or timestamp as the desk shows it: timestamps (RFC 3339, with an offset)
/// in the desk's zone with `datetime_format`; plain dates as they are; anything else raw.
pub(crate) fn display(value: &str, tz: &TimeZone, datetime_format: &str) -> String {
    if let Ok(ts) = value.parse::<Timestamp>() {
        return ts
            .to_zoned_datetime(tz.clone())
            .strftime(datetime_format)
            .to_string();
    }
    value.to_string()
}

/// The instants that bound the days `from` to `to` (inclusive) in `tz`, as Unix seconds:
/// the start of `from` and the start of the day after `to`.
pub(crate) fn day_bounds(
    from: Option<Date>,
    to: Option<Date>,
    tz: &TimeZone,
) -> (Option<i64>, Option<i64>) {
    let start = |d: Date| {
        d.to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_second())
    };
    let from = from.and_then(start);
    let to = to.and_then(|d| d.checked_add(1.day()).ok()).and_then(start);
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_show_in_the_desk_zone() {
        let tz = zone("Asia/Ho_Chi_Minh").unwrap();
        assert_eq!(
            display("2026-01-08T23:42:00Z", &tz, "%Y-%m-%d %H:%M"),
            "2026-01-09 06:42"
        );
        assert_eq!(display("2026-01-12", &tz, "%d/%m/%Y"), "2026-01-12");
        assert_eq!(display("last week", &tz, "%d/%m/%Y"), "last week");
        assert!(zone("Mars/Olympus").is_err());
    }

    #[test]
    fn day_bounds_are_local_midnights() {
        let tz = zone("Asia/Ho_Chi_Minh").unwrap();
        let d: Date = "2026-01-09".parse().unwrap();
        let (from, to) = day_bounds(Some(d), Some(d), &tz);
        // 2026-01-09T00:00+07:00 = 2026-01-08T17:00Z.
        assert_eq!(from, Some(1_767_891_600));
        assert_eq!(to, Some(1_767_891_600 + 86_400));
    }
}
