//! Where WhatsApp keeps a received message's media and the keys that open it:
//! kept with the message (JSON, never shown), so the file can be fetched
//! again later through either backend's download code.

use serde::{Deserialize, Serialize};
use whatsapp_rust::download::{Downloadable, MediaType};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaLocation {
    direct_path: String,
    #[serde(with = "b64")]
    media_key: Vec<u8>,
    #[serde(with = "b64")]
    file_sha256: Vec<u8>,
    #[serde(with = "b64")]
    file_enc_sha256: Vec<u8>,
    file_length: u64,
    kind: StoredKind,
}

/// The kinds of media a message carries, as their keys are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoredKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl MediaLocation {
    /// Where `part` is kept; `None` for media without a path or keys.
    pub fn of(part: &dyn Downloadable) -> Option<Self> {
        let kind = match part.app_info() {
            MediaType::Image => StoredKind::Image,
            MediaType::Video => StoredKind::Video,
            MediaType::Audio => StoredKind::Audio,
            MediaType::Document => StoredKind::Document,
            MediaType::Sticker => StoredKind::Sticker,
            _ => return None,
        };
        Some(Self {
            direct_path: part.direct_path()?.to_owned(),
            media_key: part.media_key()?.to_vec(),
            file_sha256: part.file_sha256()?.to_vec(),
            file_enc_sha256: part.file_enc_sha256()?.to_vec(),
            file_length: part.file_length().unwrap_or(0),
            kind,
        })
    }

    /// The same media at the path a phone uploaded it to again.
    pub fn moved_to(mut self, direct_path: String) -> Self {
        self.direct_path = direct_path;
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }
}

impl Downloadable for MediaLocation {
    fn direct_path(&self) -> Option<&str> {
        Some(&self.direct_path)
    }

    fn media_key(&self) -> Option<&[u8]> {
        Some(&self.media_key)
    }

    fn file_enc_sha256(&self) -> Option<&[u8]> {
        Some(&self.file_enc_sha256)
    }

    fn file_sha256(&self) -> Option<&[u8]> {
        Some(&self.file_sha256)
    }

    fn file_length(&self) -> Option<u64> {
        Some(self.file_length)
    }

    fn app_info(&self) -> MediaType {
        match self.kind {
            StoredKind::Image => MediaType::Image,
            StoredKind::Video => MediaType::Video,
            StoredKind::Audio => MediaType::Audio,
            StoredKind::Document => MediaType::Document,
            StoredKind::Sticker => MediaType::Sticker,
        }
    }
}

/// A stored message's media to fetch again, and the message it belongs to
/// (which a re-upload request names).
#[derive(Debug, Clone)]
pub struct MediaRequest {
    pub location: MediaLocation,
    pub message_id: String,
    pub chat: crate::domain::phone::Jid,
    pub from_me: bool,
    /// Who wrote it, in a group.
    pub author: Option<crate::domain::phone::Jid>,
}

/// Media fetched again; `moved_to` when WhatsApp's servers had dropped it and
/// the phone uploaded it anew (the message keeps the new location).
#[derive(Debug)]
pub struct FetchedMedia {
    pub bytes: Vec<u8>,
    pub moved_to: Option<MediaLocation>,
}

mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use whatsapp_rust::waproto::whatsapp as wa;

    #[test]
    fn an_images_location_survives_its_json_and_downloads_as_an_image() {
        let image = wa::message::ImageMessage {
            direct_path: Some("/v/t62.7118-24/1_2.enc".into()),
            media_key: Some(vec![1; 32]),
            file_sha256: Some(vec![2; 32]),
            file_enc_sha256: Some(vec![3; 32]),
            file_length: Some(1234),
            ..Default::default()
        };
        let location = MediaLocation::of(&image).expect("a location");
        let again = MediaLocation::from_json(&location.to_json()).expect("parses");
        assert_eq!(again, location);
        assert_eq!(again.app_info(), MediaType::Image);
        assert_eq!(again.media_key(), Some(&[1u8; 32][..]));
        assert_eq!(again.file_length(), Some(1234));
    }

    #[test]
    fn media_without_keys_has_no_location() {
        let keyless = wa::message::ImageMessage {
            direct_path: Some("/v/x.enc".into()),
            ..Default::default()
        };
        assert_eq!(MediaLocation::of(&keyless), None);
    }
}
