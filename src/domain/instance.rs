//! An instance's status.

pub use entity::values::InstanceStatus;

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
}
