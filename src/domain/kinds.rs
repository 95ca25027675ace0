//! What a message carries beyond its text and media — a place, contact cards,
//! a poll — and what others did to it since: reactions, poll votes. Stored as
//! JSON beside the message, shown in the history, carried by webhooks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A place on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[schema(example = 55.7539)]
    pub latitude: f64,
    #[schema(example = 37.6208)]
    pub longitude: f64,
    #[schema(example = "Red Square")]
    pub name: Option<String>,
    #[schema(example = "Moscow, Russia")]
    pub address: Option<String>,
}

/// A contact card: who, and their number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactCard {
    #[schema(example = "Ivan Ivanov")]
    pub name: String,
    /// Digits only.
    #[schema(example = "79001234567")]
    pub phone: String,
}

/// A poll as it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollSpec {
    pub question: String,
    /// How many options one voter may pick.
    pub selectable_count: u32,
    pub options: Vec<String>,
}

/// What a stored message carries beyond its text, and what was done to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageDetails {
    /// JIDs the text mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactCard>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollSpec>,
    /// Each voter's current choice (a voter's later vote replaces the earlier).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub votes: BTreeMap<String, Vec<String>>,
    /// Each person's current reaction.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reactions: BTreeMap<String, String>,
}

impl MessageDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// As stored; `None` when there is nothing to store.
    pub fn to_json(&self) -> Option<String> {
        (!self.is_empty())
            .then(|| serde_json::to_string(self).ok())
            .flatten()
    }

    /// A stored column; what cannot be read counts as nothing.
    pub fn from_json(raw: Option<&str>) -> Self {
        raw.and_then(|raw| serde_json::from_str(raw).ok())
            .unwrap_or_default()
    }

    /// A reaction from `from`; an empty emoji takes theirs back.
    pub fn react(&mut self, from: &str, emoji: &str) {
        if emoji.is_empty() {
            self.reactions.remove(from);
        } else {
            self.reactions.insert(from.to_owned(), emoji.to_owned());
        }
    }

    /// A vote replaces the voter's earlier one; no options takes it back.
    pub fn vote(&mut self, voter: &str, options: Vec<String>) {
        if options.is_empty() {
            self.votes.remove(voter);
        } else {
            self.votes.insert(voter.to_owned(), options);
        }
    }

    /// The words of a message that has no text of its own: a place's name
    /// and coordinates, the names on contact cards, a poll's question.
    pub fn summary(&self) -> Option<String> {
        if let Some(location) = &self.location {
            let place = [location.name.as_deref(), location.address.as_deref()]
                .into_iter()
                .flatten()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let at = format!("{}, {}", location.latitude, location.longitude);
            return Some(if place.is_empty() {
                at
            } else {
                format!("{place} ({at})")
            });
        }
        if !self.contacts.is_empty() {
            let names: Vec<&str> = self.contacts.iter().map(|c| c.name.as_str()).collect();
            return Some(names.join(", "));
        }
        self.poll.as_ref().map(|poll| poll.question.clone())
    }

    /// Each option with how many voters picked it, in the poll's order.
    pub fn tally(&self) -> Vec<(String, usize)> {
        let Some(poll) = &self.poll else {
            return Vec::new();
        };
        poll.options
            .iter()
            .map(|option| {
                let votes = self
                    .votes
                    .values()
                    .filter(|chosen| chosen.contains(option))
                    .count();
                (option.clone(), votes)
            })
            .collect()
    }
}

/// A vCard 3.0 for a contact card, as WhatsApp's phones write them: the
/// `waid` parameter is what makes the number tappable as a WhatsApp chat.
pub fn vcard(card: &ContactCard) -> String {
    let name = card.name.replace(['\r', '\n'], " ");
    format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL;type=CELL;type=VOICE;waid={phone}:+{phone}\nEND:VCARD",
        phone = card.phone
    )
}

/// The name and number a received vCard holds.
pub fn read_vcard(display_name: Option<&str>, vcard: &str) -> ContactCard {
    let field = |prefix: &str| {
        vcard
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(str::to_owned))
    };
    let name = display_name
        .map(str::to_owned)
        .filter(|name| !name.is_empty())
        .or_else(|| field("FN:"))
        .unwrap_or_default();
    let phone = vcard
        .lines()
        .find(|line| line.starts_with("TEL"))
        .map(|line| {
            let waid = line
                .split(';')
                .find_map(|part| part.strip_prefix("waid="))
                .map(|w| w.split(':').next().unwrap_or_default().to_owned());
            waid.unwrap_or_else(|| {
                line.rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect()
            })
        })
        .unwrap_or_default();
    ContactCard { name, phone }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vcard_reads_back_as_the_card_it_was_built_from() {
        let card = ContactCard {
            name: "Ivan Ivanov".into(),
            phone: "79001234567".into(),
        };
        assert_eq!(read_vcard(None, &vcard(&card)), card);
        let foreign =
            "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nTEL;TYPE=CELL:+7 900 765-43-21\nEND:VCARD";
        assert_eq!(
            read_vcard(None, foreign),
            ContactCard {
                name: "Anna".into(),
                phone: "79007654321".into()
            }
        );
    }

    #[test]
    fn a_later_vote_or_reaction_replaces_the_earlier_and_an_empty_one_takes_it_back() {
        let mut details = MessageDetails {
            poll: Some(PollSpec {
                question: "Lunch?".into(),
                selectable_count: 1,
                options: vec!["Yes".into(), "No".into()],
            }),
            ..Default::default()
        };
        details.vote("a", vec!["Yes".into()]);
        details.vote("b", vec!["Yes".into()]);
        details.vote("a", vec!["No".into()]);
        assert_eq!(details.tally(), vec![("Yes".into(), 1), ("No".into(), 1)]);
        details.vote("b", vec![]);
        assert_eq!(details.tally(), vec![("Yes".into(), 0), ("No".into(), 1)]);
        details.react("a", "👍");
        details.react("a", "❤️");
        assert_eq!(details.reactions.get("a").map(String::as_str), Some("❤️"));
        details.react("a", "");
        assert!(details.reactions.is_empty());
        let stored = details.to_json();
        assert_eq!(MessageDetails::from_json(stored.as_deref()), details);
    }
}
