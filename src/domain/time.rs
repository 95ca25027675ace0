//! Times are stored as UTC milliseconds and shown as ISO 8601 with milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// `2023-01-01T12:00:00.000Z`, the contract's format.
pub fn iso_millis(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an ISO 8601 date-time (`2023-01-01T12:00:00Z`) or a plain date (`2023-01-01`,
/// taken as midnight UTC) into milliseconds.
pub fn parse_iso(value: &str) -> Option<i64> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_millis_has_three_fraction_digits_and_z() {
        assert_eq!(iso_millis(1_672_531_200_000), "2023-01-01T00:00:00.000Z");
    }

    #[test]
    fn parse_iso_accepts_date_times_with_offsets_and_plain_dates() {
        assert_eq!(parse_iso("2023-01-01T00:00:00Z"), Some(1_672_531_200_000));
        assert_eq!(
            parse_iso("2023-01-01T03:00:00+03:00"),
            Some(1_672_531_200_000)
        );
        assert_eq!(parse_iso("2023-01-01"), Some(1_672_531_200_000));
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(parse_iso("2023-02-30"), None);
    }
}
