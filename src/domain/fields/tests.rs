use utoipa::PartialSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::*;
use crate::domain::rules;

fn object(schema: RefOr<Schema>) -> utoipa::openapi::schema::Object {
    match schema {
        RefOr::T(Schema::Object(object)) => object,
        _ => panic!("a field's schema is an object schema"),
    }
}

#[test]
fn a_text_field_documents_the_rule_it_checks() {
    let documented = object(MessageText::schema());
    assert_eq!(documented.min_length, Some(rules::MESSAGE_TEXT.min_chars));
    assert_eq!(documented.max_length, Some(rules::MESSAGE_TEXT.max_chars));
    assert_eq!(
        documented.pattern.as_deref(),
        Some(rules::MESSAGE_TEXT.pattern)
    );
    assert!(
        documented
            .description
            .is_some_and(|d| d.contains("not blank"))
    );
    // An optional text states no minimum.
    assert_eq!(object(Caption::schema()).min_length, None);
}

#[test]
fn a_number_field_documents_its_range() {
    let documented = serde_json::to_value(MaxRetries::schema()).unwrap_or_default();
    assert_eq!(documented["minimum"], 0);
    assert_eq!(documented["maximum"], accounts::MAX_RETRIES);
    assert_eq!(documented["type"], "integer");
}

#[test]
fn fields_are_read_as_sent_and_whole_floats_count_as_integers() {
    let text: MessageText = serde_json::from_str("\" hi \"").unwrap_or_default();
    assert_eq!(text.raw(), " hi ");
    let retries: Result<MaxRetries, _> = serde_json::from_str("3.0");
    assert_eq!(retries.ok(), Some(MaxRetries::from(3)));
    assert!(serde_json::from_str::<MaxRetries>("3.5").is_err());
    assert!(serde_json::from_str::<MessageText>("3").is_err());
}

#[test]
fn instance_name_is_required_and_bounded() {
    assert!(InstanceName::from("  ").parse().is_err());
    assert!(
        InstanceName::from("n".repeat(101).as_str())
            .parse()
            .is_err()
    );
    assert_eq!(InstanceName::from(" Main ").parse(), Ok("Main".into()));
}

#[test]
fn webhook_url_must_be_http_or_https_with_a_host() {
    let parse = |raw: &str| WebhookUrl::from(raw).parse();
    assert_eq!(
        parse("https://example.com/hook"),
        Ok(Some("https://example.com/hook".into()))
    );
    assert!(parse("http://127.0.0.1:9000/x").is_ok());
    assert_eq!(parse(""), Ok(None), "empty means none");
    for bad in [
        "ftp://example.com",
        "example.com/hook",
        "https://",
        "javascript:alert(1)",
        "http://[:::]/",
        "http://[1:2:]/",
        "http://[::1%25eth0]/",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
    assert!(parse("http://[2001:db8::1]:8080/x").is_ok());
}

#[test]
fn a_bracketed_host_must_parse_as_ipv6() {
    for bad in ["http://[:::]/", "http://[1:2:]/", "https://[1::2::3]/a.jpg"] {
        assert!(MediaUrl::from(bad).parse().is_err(), "{bad:?}");
        assert!(!http_url_parses(bad), "{bad:?}");
    }
    for good in ["http://[::1]:9/a", "https://[2001:db8::8a2e:370:7334]/"] {
        assert_eq!(MediaUrl::from(good).parse().ok().as_deref(), Some(good));
    }
}

#[test]
fn retry_settings_are_bounded() {
    assert!(MaxRetries::from(21).parse().is_err() && MaxRetries::from(-1).parse().is_err());
    assert_eq!(MaxRetries::from(20).parse(), Ok(20));
    assert!(RetryInterval::from(999).parse().is_err());
    assert!(RetryInterval::from(3_600_001).parse().is_err());
    assert_eq!(RetryInterval::from(1000).parse(), Ok(1000));
}

#[test]
fn refusals_name_the_field_and_the_kind_of_problem() {
    assert!(matches!(Chat::from("12").parse(), Err(Refusal::Phone(_))));
    assert!(matches!(
        PersonPhone::from("120363025246125244@g.us").parse(),
        Err(Refusal::Phone(message)) if message.contains("not a group")
    ));
    assert!(matches!(
        GroupId::from("abc").parse(),
        Err(Refusal::Group(_))
    ));
    assert_eq!(
        PollOption::from(" ").parse("options[1]"),
        Err(Refusal::Invalid(
            "options[1] must be 1-100 characters, not blank, without NUL or control characters"
                .into()
        ))
    );
    assert_eq!(
        PersonName::from("a\u{7}")
            .parse("pushName")
            .map_err(|r| r.message().to_owned()),
        Err(
            "pushName must be at most 100 characters, without control characters or bidi controls"
                .into()
        )
    );
}

#[test]
fn a_reaction_is_one_emoji_or_none() {
    assert_eq!(Emoji::from("👍").parse(), Ok("👍".into()));
    assert_eq!(Emoji::from("").parse(), Ok(String::new()));
    for good in ["❤️", "❤", "👍🏽", "1️⃣", "🇧🇷", "👨‍👩‍👧", "🏳️‍🌈"]
    {
        assert_eq!(Emoji::from(good).parse().as_deref(), Ok(good), "{good:?}");
    }
    let stacked = format!("e{}", "\u{301}".repeat(15));
    for bad in [
        "a",
        "👍👍",
        "1",
        " 👍",
        "\u{7}",
        "\u{85}",
        "\u{202e}",
        "\u{2066}",
        "\u{200b}",
        "\u{fe0f}",
        stacked.as_str(),
    ] {
        assert!(Emoji::from(bad).parse().is_err(), "{bad:?}");
    }
}

#[test]
fn an_invite_must_follow_its_rule_and_name_a_code() {
    assert_eq!(
        GroupInvite::from("https://chat.whatsapp.com/AbC123").parse(),
        Ok("AbC123")
    );
    assert!(
        GroupInvite::from("https://example.com/AbC123")
            .parse()
            .is_err()
    );
}

/// A documented example is one the field takes.
fn examples_follow_the_rule<T: PartialSchema>(rule: &rules::TextRule) -> usize {
    let documented = object(T::schema());
    for example in &documented.examples {
        let text = example.as_str().unwrap_or_default();
        assert!(rule.allows(text), "{text:?} breaks its own field's rule");
    }
    documented.examples.len()
}

#[test]
fn documented_examples_follow_their_rules() {
    let shown = [
        examples_follow_the_rule::<Chat>(Chat::RULE),
        examples_follow_the_rule::<PersonPhone>(PersonPhone::RULE),
        examples_follow_the_rule::<MessageText>(MessageText::RULE),
        examples_follow_the_rule::<CardName>(CardName::RULE),
        examples_follow_the_rule::<PollQuestion>(PollQuestion::RULE),
        examples_follow_the_rule::<PollOption>(PollOption::RULE),
        examples_follow_the_rule::<Emoji>(Emoji::RULE),
        examples_follow_the_rule::<MessageId>(MessageId::RULE),
        examples_follow_the_rule::<MediaUrl>(MediaUrl::RULE),
        examples_follow_the_rule::<GroupSubject>(GroupSubject::RULE),
        examples_follow_the_rule::<GroupInvite>(GroupInvite::RULE),
        examples_follow_the_rule::<GroupId>(GroupId::RULE),
        examples_follow_the_rule::<InstanceName>(InstanceName::RULE),
        examples_follow_the_rule::<WebhookUrl>(WebhookUrl::RULE),
        examples_follow_the_rule::<EmailAddress>(EmailAddress::RULE),
        examples_follow_the_rule::<PersonName>(PersonName::RULE),
    ];
    assert!(shown.iter().all(|count| *count == 1));
    // And each parses: the example is a value the route takes.
    assert!(GroupId::from("120363025246125244@g.us").parse().is_ok());
    assert!(
        GroupInvite::from("https://chat.whatsapp.com/Fk3cQ9pLmN2rT7vXyZ1aB4")
            .parse()
            .is_ok()
    );
}
