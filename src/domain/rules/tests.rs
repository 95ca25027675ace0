use super::*;

#[test]
fn every_pattern_compiles() {
    for (name, rule) in all() {
        if !rule.pattern.is_empty() {
            assert!(Regex::new(rule.pattern).is_ok(), "{name}: {}", rule.pattern);
        }
    }
}

/// The class matches exactly the code points `rust_class` says yes to.
fn same_as_rust(class: &str, rust_class: fn(char) -> bool) {
    let class = Regex::new(&format!("^[{class}]$")).ok();
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let matched = class
            .as_ref()
            .is_some_and(|r| r.is_match(c.encode_utf8(&mut [0; 4])));
        assert_eq!(matched, rust_class(c), "U+{:04X}", c as u32);
    }
}

#[test]
fn white_space_is_what_trim_trims() {
    same_as_rust(space!(), char::is_whitespace);
}

#[test]
fn control_is_what_is_control_means() {
    same_as_rust(control!(), char::is_control);
}

/// Category Cf as the regex crate's Unicode tables know it.
fn is_format(c: char) -> bool {
    static CF: OnceLock<Option<Regex>> = OnceLock::new();
    CF.get_or_init(|| Regex::new(r"^\p{Cf}$").ok())
        .as_ref()
        .is_some_and(|cf| cf.is_match(c.encode_utf8(&mut [0; 4])))
}

#[test]
fn format_is_category_cf() {
    same_as_rust(format_chars!(), is_format);
}

#[test]
fn zero_width_and_format_characters_are_blank() {
    for blank in [
        "\u{200b}",
        "\u{200c}\u{200d}",
        " \u{2060}\u{feff} ",
        "\u{e0020}\u{ad}",
    ] {
        for rule in [
            &INSTANCE_NAME,
            &CARD_NAME,
            &GROUP_SUBJECT,
            &MESSAGE_TEXT,
            &POLL_OPTION,
        ] {
            assert!(!rule.allows(blank), "{blank:?}");
        }
    }
    // Beside something visible they are kept: an emoji family is joined by U+200D.
    assert!(MESSAGE_TEXT.allows("\u{1f468}\u{200d}\u{1f469}"));
    assert!(INSTANCE_NAME.allows("Sales\u{200b}"));
}

#[test]
fn names_refuse_bidi_controls() {
    for control in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
        let name = format!("Sales {control}gnp.exe");
        for rule in [&INSTANCE_NAME, &CARD_NAME, &GROUP_SUBJECT, &PERSON_NAME] {
            assert!(!rule.allows(&name), "U+{:04X}", control as u32);
        }
        // A message may quote right-to-left text as it likes.
        assert!(MESSAGE_TEXT.allows(&name));
    }
    assert!(
        PERSON_NAME.allows("\u{5d3}\u{5d5}\u{5d3}"),
        "right-to-left letters are names"
    );
}

#[test]
fn instance_names_are_not_blank_and_have_no_controls() {
    assert!(INSTANCE_NAME.allows("Sales"));
    assert!(INSTANCE_NAME.allows(" Sales "));
    assert!(!INSTANCE_NAME.allows(""));
    assert!(!INSTANCE_NAME.allows(" \u{3000}"));
    assert!(!INSTANCE_NAME.allows("Sa\nles"));
    assert!(INSTANCE_NAME.allows(&"x".repeat(100)));
    assert!(!INSTANCE_NAME.allows(&"x".repeat(101)));
}

#[test]
fn phones_and_chats() {
    for person in [
        "79001234567",
        "+7 (900) 123-45-67",
        " 12345 ",
        "79001234567@s.whatsapp.net",
    ] {
        assert!(PERSON_PHONE.allows(person), "{person}");
        assert!(CHAT.allows(person), "{person}");
    }
    for bad in [
        "",
        "1234",
        "01234567",
        "1234567890123456",
        "12a45",
        "++12345",
        "12345@g.us",
    ] {
        assert!(!PERSON_PHONE.allows(bad), "{bad}");
    }
    assert!(CHAT.allows("120363025246125486@g.us"));
    assert!(CHAT.allows("100000012345678@lid"));
    assert!(!PERSON_PHONE.allows("100000012345678@lid"));
    assert!(!CHAT.allows("1000x@lid") && !CHAT.allows("@lid"));
}

#[test]
fn urls_and_emails() {
    for url in [
        "https://hooks.example.com/wamux?x=1",
        "http://localhost:8080/",
        "http://[::1]:9/a",
        "http://10.0.0.1",
    ] {
        assert!(MEDIA_URL.allows(url), "{url}");
        assert!(WEBHOOK_URL.allows(url), "{url}");
        assert!(url.parse::<actix_web::http::Uri>().is_ok(), "{url}");
    }
    assert!(WEBHOOK_URL.allows(""));
    for bad in [
        "http://[:::]/",
        "http://[1:2:]/",
        "http://[1::2::3]/",
        "http://[12345::]/",
        "http://[]/",
        "ftp://x",
        "https://",
        "https://a b",
        "https://x:65536",
        " https://x",
    ] {
        assert!(!WEBHOOK_URL.allows(bad), "{bad}");
    }
    assert!(EMAIL.allows("ivan.petrov@example.com"));
    for bad in ["a@", "@b", "a@b@c", "a@.b", "a@b.", "a b@c", " a@b"] {
        assert!(!EMAIL.allows(bad), "{bad}");
    }
}

/// The documented IPv6 shape takes exactly what the standard library's
/// parser takes, over groups of 0-5 digits joined by 1-3 colons.
#[test]
fn the_ipv6_pattern_is_what_std_parses() {
    let Ok(pattern) = Regex::new(concat!("^", ipv6_hex!(), "$")) else {
        panic!("the IPv6 pattern compiles");
    };
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % bound
    };
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..200_000 {
        let mut text = String::new();
        for part in 0..next(11) {
            if part > 0 || next(4) == 0 {
                text.push_str(
                    &":".repeat(1 + usize::from(next(6) == 0) + usize::from(next(20) == 0)),
                );
            }
            for _ in 0..next(6) {
                text.push(['0', '1', '9', 'a', 'F'][usize::try_from(next(5)).unwrap_or(0)]);
            }
        }
        let parses = text.parse::<std::net::Ipv6Addr>().is_ok();
        assert_eq!(pattern.is_match(&text), parses, "{text:?}");
        if parses { valid += 1 } else { invalid += 1 }
    }
    assert!(
        valid > 1000 && invalid > 1000,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn base64_is_what_the_decoder_takes() {
    use base64::Engine;
    for (text, valid) in [
        ("aGVsbG8=", true),
        ("aGVsbA==", true),
        ("aGVsbG9=", false),
        ("aGV", false),
        ("", true),
    ] {
        let decodes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_ok();
        assert_eq!(decodes, valid, "{text}");
        assert_eq!(BASE64.allows(text), valid, "{text}");
    }
}
