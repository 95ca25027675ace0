//! What a reader sees of a picture before downloading it: its width and height
//! and a small JPEG, as WhatsApp's own clients attach them to an image message.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::whatsapp::{MediaKind, OutgoingMedia};

/// The longer side of a thumbnail, in pixels (WhatsApp's clients use about this).
const THUMBNAIL_SIDE: u32 = 96;
/// Pictures larger than this on either side are sent without a preview:
/// decoding them would cost more than the preview is worth.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Adds the dimensions and thumbnail of an image; leaves anything it cannot
/// read as it is. CPU-bound: run it off the async threads.
pub fn add_preview(media: &mut OutgoingMedia) {
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
}
