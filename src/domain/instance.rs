//! An instance's status and the rules for its settings.

pub use entity::values::InstanceStatus;

use super::rules::{INSTANCE_DESCRIPTION, INSTANCE_NAME, WEBHOOK_SECRET, WEBHOOK_URL};

pub const MAX_RETRIES: i32 = 20;
pub const RETRY_INTERVAL_MS: std::ops::RangeInclusive<i64> = 1000..=3_600_000;

/// Checked as sent, then trimmed.
pub fn parse_name(raw: &str) -> Result<String, String> {
    if !INSTANCE_NAME.allows(raw) {
        return Err(format!(
            "name must be 1-{} characters, not blank, without control characters",
            INSTANCE_NAME.max_chars
        ));
    }
    Ok(raw.trim().to_owned())
}

/// Checked as sent, then trimmed.
pub fn parse_description(raw: &str) -> Result<String, String> {
    if !INSTANCE_DESCRIPTION.allows(raw) {
        return Err(format!(
            "description must be at most {} characters, without NUL",
            INSTANCE_DESCRIPTION.max_chars
        ));
    }
    Ok(raw.trim().to_owned())
}

/// An absolute http(s) URL with a host (`domain::rules::WEBHOOK_URL`).
pub fn parse_webhook_url(raw: &str) -> Result<String, String> {
    let problem = || {
        format!(
            "webhookUrl must be an absolute http:// or https:// URL of at most {} characters",
            WEBHOOK_URL.max_chars
        )
    };
    if raw.is_empty() || !WEBHOOK_URL.allows(raw) {
        return Err(problem());
    }
    // The rule admits only what parses; kept as the last word on what a Uri is.
    let uri: actix_web::http::Uri = raw.parse().map_err(|_| problem())?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(problem());
    }
    Ok(raw.to_owned())
}

pub fn check_max_retries(value: i64) -> Result<i32, String> {
    i32::try_from(value)
        .ok()
        .filter(|n| (0..=MAX_RETRIES).contains(n))
        .ok_or_else(|| format!("maxRetries must be between 0 and {MAX_RETRIES}"))
}

pub fn check_retry_interval(value: i64) -> Result<i64, String> {
    if RETRY_INTERVAL_MS.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "retryInterval must be between {} and {} ms",
            RETRY_INTERVAL_MS.start(),
            RETRY_INTERVAL_MS.end()
        ))
    }
}

pub fn check_secret(value: &str) -> Result<String, String> {
    if !WEBHOOK_SECRET.allows(value) {
        return Err(format!(
            "webhook secret must be at most {} characters, without NUL",
            WEBHOOK_SECRET.max_chars
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_its_name() {
        for status in [
            "connecting",
            "qr",
            "connected",
            "disconnected",
            "logged_out",
            "failed",
        ] {
            assert_eq!(
                InstanceStatus::parse(status).map(InstanceStatus::as_str),
                Some(status)
            );
        }
        assert_eq!(InstanceStatus::parse("ready"), None);
    }

    #[test]
    fn name_is_required_and_bounded() {
        assert!(parse_name("  ").is_err());
        assert!(parse_name(&"n".repeat(101)).is_err());
        assert_eq!(parse_name(" Main "), Ok("Main".into()));
    }

    #[test]
    fn webhook_url_must_be_http_or_https_with_a_host() {
        assert!(parse_webhook_url("https://example.com/hook").is_ok());
        assert!(parse_webhook_url("http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "ftp://example.com",
            "example.com/hook",
            "https://",
            "javascript:alert(1)",
            "",
        ] {
            assert!(parse_webhook_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn retry_settings_are_bounded() {
        assert!(check_max_retries(21).is_err() && check_max_retries(-1).is_err());
        assert_eq!(check_max_retries(20), Ok(20));
        assert!(check_retry_interval(999).is_err() && check_retry_interval(3_600_001).is_err());
    }
}
