//! A pairing QR string as a picture (PNG or SVG), or as text for a console.

use std::io::Cursor;

use qrcode::QrCode;
use qrcode::render::{svg, unicode};

use crate::error::ApiError;

const MIN_SIDE: u32 = 320;

fn encode(data: &str) -> Result<QrCode, ApiError> {
    QrCode::new(data.as_bytes())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("QR encoding: {e}")))
}

pub fn png(data: &str) -> Result<Vec<u8>, ApiError> {
    let image = encode(data)?
        .render::<image::Luma<u8>>()
        .min_dimensions(MIN_SIDE, MIN_SIDE)
        .build();
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("PNG encoding: {e}")))?;
    Ok(out.into_inner())
}

pub fn svg(data: &str) -> Result<String, ApiError> {
    Ok(encode(data)?
        .render::<svg::Color>()
        .min_dimensions(MIN_SIDE, MIN_SIDE)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// Two rows per character, for a terminal (`log.qr_terminal`). Light modules are
/// drawn as blocks: on the usual dark console the blocks show light, so phones see
/// a normal dark-on-light code with its quiet zone.
pub fn terminal(data: &str) -> Option<String> {
    QrCode::new(data.as_bytes()).ok().map(|code| {
        code.render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_svg_encode_the_string() -> Result<(), ApiError> {
        let data = "2@abc,def,ghi,jkl,1";
        assert_eq!(&png(data)?[..8], b"\x89PNG\r\n\x1a\n");
        let svg = svg(data)?;
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
        assert!(terminal(data).is_some_and(|t| t.lines().count() > 10));
        Ok(())
    }
}
