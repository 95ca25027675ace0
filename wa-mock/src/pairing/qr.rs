//! The QR string a companion shows: `ref,noise key,identity key,adv secret,type`.

use anyhow::{anyhow, bail};
use base64::Engine as _;

/// The phone camera's reading of a QR code.
pub struct Qr {
    pub reference: String,
    pub noise_key: [u8; 32],
    pub identity: [u8; 32],
    /// The HMAC key of the signed identity the phone answers with.
    pub adv_secret: [u8; 32],
}

pub fn parse_qr(text: &str) -> anyhow::Result<Qr> {
    let body = text
        .trim()
        .strip_prefix("https://wa.me/settings/linked_devices#")
        .unwrap_or(text.trim());
    let parts: Vec<&str> = body.split(',').collect();
    let [reference, noise_key, identity, adv_secret, ..] = parts.as_slice() else {
        bail!("a WhatsApp QR code has at least four comma-separated parts");
    };
    if reference.is_empty() {
        bail!("the QR code's ref is empty");
    }
    Ok(Qr {
        reference: (*reference).to_owned(),
        noise_key: key(noise_key, "noise key")?,
        identity: key(identity, "identity key")?,
        adv_secret: key(adv_secret, "adv secret")?,
    })
}

fn key(text: &str, what: &str) -> anyhow::Result<[u8; 32]> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| anyhow!("the QR code's {what} is not 32 bytes of base64"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_the_four_parts_and_ignores_the_client_type() {
        let b64 = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
        let text = format!("2@abc,{},{},{},9", b64(1), b64(2), b64(3));
        let qr = parse_qr(&text).unwrap();
        assert_eq!(qr.reference, "2@abc");
        assert_eq!(
            (qr.noise_key[0], qr.identity[0], qr.adv_secret[0]),
            (1, 2, 3)
        );
        assert!(parse_qr("2@abc,AAAA,BBBB").is_err());
        assert!(parse_qr(&format!("2@abc,{},short,{}", b64(1), b64(3))).is_err());
    }
}
