//! Text from outside on its way into the database. PostgreSQL refuses NUL in
//! text, so it is either refused (requests) or replaced (what WhatsApp delivers).

/// Replaces NUL, which no database text column accepts everywhere.
pub fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// Requests carrying NUL in a text field are refused.
pub fn check_no_nul(field: &str, text: &str) -> Result<(), String> {
    if text.contains('\0') {
        return Err(format!("{field} must not contain NUL characters"));
    }
    Ok(())
}

/// Most characters of a client's text an error message repeats.
pub const MAX_ECHOED_CHARS: usize = 200;

/// A client's text as an error message repeats it: whole when short, else its
/// first `MAX_ECHOED_CHARS` characters and `…`, so a 60 KB path is not sent
/// back (and logged) whole.
pub fn echoed(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Our ids are UUIDs; anything else cannot name a row.
pub fn is_uuid(raw: &str) -> bool {
    uuid::Uuid::parse_str(raw).is_ok()
}

/// WhatsApp message ids: short, letters, digits and a few marks.
pub fn is_message_id(raw: &str) -> bool {
    (1..=128).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A file name is shown to the recipient, never used as a path.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        "file".into()
    } else {
        clean.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_replaced_or_refused() {
        assert_eq!(storable("a\0b"), "a\u{FFFD}b");
        assert!(check_no_nul("message", "a\0b").is_err());
        assert!(check_no_nul("message", "fine 😀").is_ok());
    }

    #[test]
    fn long_texts_are_echoed_shortened() {
        assert_eq!(echoed("/api/x"), "/api/x");
        let exact = "é".repeat(MAX_ECHOED_CHARS);
        assert_eq!(echoed(&exact), exact);
        let long = echoed(&"/é".repeat(30_000));
        assert_eq!(long.chars().count(), MAX_ECHOED_CHARS + 1);
        assert!(long.ends_with("é…") || long.ends_with("/…"));
    }

    #[test]
    fn ids_are_checked_before_they_reach_a_query() {
        assert!(is_uuid("01a2141d-458e-73bb-954c-65853fc0e06a"));
        assert!(!is_uuid("' OR 1=1"));
        assert!(is_message_id("3EB0C258F6AA7F19E2F2C2"));
        assert!(!is_message_id("3EB0\0"));
        assert!(!is_message_id(""));
    }

    #[test]
    fn file_names_lose_their_paths_and_control_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_filename("in\u{0}voice\n.pdf"), "invoice.pdf");
        assert_eq!(sanitize_filename(".."), "file");
        assert_eq!(sanitize_filename(""), "file");
    }
}
