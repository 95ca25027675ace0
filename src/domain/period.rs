//! Statistics periods over UTC days.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The periods a route takes, and the one it takes when not told.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub allowed: &'static [Period],
    pub default: Period,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    Week,
    Month,
    Year,
    All,
}

impl Period {
    /// One of `allowed`, by name; `None` when the name is not among them.
    pub fn parse(raw: &str, allowed: &[Period]) -> Option<Self> {
        let period = match raw {
            "today" => Self::Today,
            "week" => Self::Week,
            "month" => Self::Month,
            "year" => Self::Year,
            "all" => Self::All,
            _ => return None,
        };
        allowed.contains(&period).then_some(period)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::All => "all",
        }
    }

    /// The first day the period covers, counting back from `today`: today alone,
    /// the last 7, 30 or 365 days including today, or everything.
    pub fn first_day(self, today: NaiveDate) -> Option<NaiveDate> {
        let days_back = match self {
            Self::Today => 0,
            Self::Week => 6,
            Self::Month => 29,
            Self::Year => 364,
            Self::All => return None,
        };
        Some(today - Duration::days(days_back))
    }
}

/// The UTC day of a time in milliseconds, as stored: `YYYY-MM-DD`.
pub fn day_of(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A stored day as the contract shows it: `2023-01-01T00:00:00.000Z`.
pub fn day_start_iso(day: &str) -> String {
    format!("{day}T00:00:00.000Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_count_back_from_today_inclusive() {
        let today = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap_or_default();
        let first = |p: Period| p.first_day(today).map(|d| d.to_string());
        assert_eq!(first(Period::Today).as_deref(), Some("2024-03-10"));
        assert_eq!(first(Period::Week).as_deref(), Some("2024-03-04"));
        assert_eq!(first(Period::Month).as_deref(), Some("2024-02-10"));
        assert_eq!(first(Period::Year).as_deref(), Some("2023-03-12"));
        assert_eq!(first(Period::All), None);
    }

    #[test]
    fn only_allowed_names_parse() {
        assert_eq!(
            Period::parse("week", &[Period::Week, Period::All]),
            Some(Period::Week)
        );
        assert_eq!(Period::parse("today", &[Period::Week]), None);
        assert_eq!(Period::parse("decade", &[Period::Week]), None);
    }

    #[test]
    fn days_are_utc() {
        assert_eq!(day_of(1_672_531_199_999), "2022-12-31");
        assert_eq!(day_of(1_672_531_200_000), "2023-01-01");
        assert_eq!(day_start_iso("2023-01-01"), "2023-01-01T00:00:00.000Z");
    }
}
