//! What a reader sees of a file before downloading it, as WhatsApp's own
//! clients attach it: a picture's width, height and small JPEG; a video's or an
//! audio's playing time (MP4/M4A through the mp4 crate, Ogg Opus — WhatsApp's
//! voice notes — from its last page).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::whatsapp::{MediaKind, OutgoingMedia};

/// The longer side of a thumbnail, in pixels (WhatsApp's clients use about this).
const THUMBNAIL_SIDE: u32 = 96;
/// Pictures larger than this on either side are sent without a preview:
/// decoding them would cost more than the preview is worth.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Adds the dimensions and thumbnail of an image, the playing time of a video
/// or an audio; leaves anything it cannot read as it is. CPU-bound: run it off
/// the async threads.
pub fn add_preview(media: &mut OutgoingMedia) {
    if matches!(
        media.kind,
        MediaKind::Video | MediaKind::Audio | MediaKind::Voice
    ) {
        media.seconds = playing_time(&media.bytes, &media.mimetype);
        return;
    }
    if media.kind != MediaKind::Image {
        return;
    }
    let Some((dimensions, thumbnail)) = preview(&media.bytes) else {
        return;
    };
    media.dimensions = Some(dimensions);
    media.thumbnail = Some(thumbnail);
}

fn preview(bytes: &[u8]) -> Option<((u32, u32), Vec<u8>)> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let dimensions = (picture.width(), picture.height());
    let small = picture
        .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        .into_rgb8();
    let mut jpeg = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .ok()?;
    Some((dimensions, jpeg))
}

/// Whole seconds, rounded, when the container says.
fn playing_time(bytes: &[u8], mimetype: &str) -> Option<u32> {
    let seconds = if mimetype.contains("ogg") || mimetype.contains("opus") {
        ogg_opus_seconds(bytes)?
    } else {
        let length = u64::try_from(bytes.len()).ok()?;
        mp4::Mp4Reader::read_header(Cursor::new(bytes), length)
            .ok()?
            .duration()
            .as_secs_f64()
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| seconds.round() as u32)
}

/// Opus always counts at 48 kHz: the last page's granule position, less the
/// pre-skip the `OpusHead` header names, is the stream's length in samples.
fn ogg_opus_seconds(bytes: &[u8]) -> Option<f64> {
    const OPUS_RATE: f64 = 48_000.0;
    let head = find(bytes, b"OpusHead")?;
    let pre_skip = u16::from_le_bytes(bytes.get(head + 10..head + 12)?.try_into().ok()?);
    let last_page = rfind(bytes, b"OggS")?;
    let granule = u64::from_le_bytes(bytes.get(last_page + 6..last_page + 14)?.try_into().ok()?);
    let samples = granule.checked_sub(u64::from(pre_skip))?;
    Some(samples as f64 / OPUS_RATE)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    fn media(kind: MediaKind, bytes: Vec<u8>) -> OutgoingMedia {
        OutgoingMedia {
            bytes: bytes.into(),
            mimetype: "image/png".into(),
            filename: "p.png".into(),
            caption: None,
            kind,
            thumbnail: None,
            dimensions: None,
            seconds: None,
        }
    }

    #[test]
    fn an_image_gets_its_size_and_a_small_jpeg() {
        let mut picture = media(MediaKind::Image, png(640, 320));
        add_preview(&mut picture);
        assert_eq!(picture.dimensions, Some((640, 320)));
        let thumbnail = image::load_from_memory(picture.thumbnail.as_deref().unwrap()).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (96, 48));
        assert_eq!(
            image::guess_format(picture.thumbnail.as_deref().unwrap()).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn what_is_not_a_readable_image_goes_without_a_preview() {
        let mut broken = media(MediaKind::Image, b"\x89PNG not really".to_vec());
        add_preview(&mut broken);
        assert_eq!((broken.dimensions, broken.thumbnail), (None, None));
        let mut document = media(MediaKind::Document, png(10, 10));
        add_preview(&mut document);
        assert_eq!(document.dimensions, None);
    }

    /// An MP4 with one AAC track of `seconds`, as the mp4 crate writes it.
    fn mp4(seconds: u32) -> Vec<u8> {
        let config = mp4::Mp4Config {
            major_brand: "isom".parse().unwrap(),
            minor_version: 512,
            compatible_brands: vec!["isom".parse().unwrap(), "mp41".parse().unwrap()],
            timescale: 1000,
        };
        let mut writer = mp4::Mp4Writer::write_start(Cursor::new(Vec::new()), &config).unwrap();
        writer
            .add_track(&mp4::TrackConfig::from(mp4::MediaConfig::AacConfig(
                mp4::AacConfig::default(),
            )))
            .unwrap();
        for n in 0..seconds {
            let sample = mp4::Mp4Sample {
                start_time: u64::from(n) * 1000,
                duration: 1000,
                rendering_offset: 0,
                is_sync: true,
                bytes: bytes::Bytes::from_static(&[0; 8]),
            };
            writer.write_sample(1, &sample).unwrap();
        }
        writer.write_end().unwrap();
        writer.into_writer().into_inner()
    }

    /// The two pages that matter in an Ogg Opus file: the header and the last.
    fn ogg_opus(seconds: u64) -> Vec<u8> {
        let pre_skip: u16 = 312;
        let mut bytes = b"OggS\0\x02".to_vec();
        bytes.extend([0; 20]);
        bytes.extend(b"OpusHead\x01\x01");
        bytes.extend(pre_skip.to_le_bytes());
        bytes.extend([0x80, 0xBB, 0, 0, 0, 0, 0]);
        bytes.extend(b"OggS\0\x04");
        bytes.extend((seconds * 48_000 + u64::from(pre_skip)).to_le_bytes());
        bytes.extend([0; 12]);
        bytes
    }

    #[test]
    fn videos_and_audio_get_their_playing_time() {
        let mut clip = media(MediaKind::Video, mp4(7));
        clip.mimetype = "video/mp4".into();
        add_preview(&mut clip);
        assert_eq!(clip.seconds, Some(7));
        let mut song = media(MediaKind::Audio, mp4(3));
        song.mimetype = "audio/mp4".into();
        add_preview(&mut song);
        assert_eq!(song.seconds, Some(3));
        let mut voice = media(MediaKind::Audio, ogg_opus(12));
        voice.mimetype = "audio/ogg; codecs=opus".into();
        add_preview(&mut voice);
        assert_eq!(voice.seconds, Some(12));
        let mut unknown = media(MediaKind::Audio, b"ID3 not parsed".to_vec());
        unknown.mimetype = "audio/mpeg".into();
        add_preview(&mut unknown);
        assert_eq!(unknown.seconds, None);
    }
}
