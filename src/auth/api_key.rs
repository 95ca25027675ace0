use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const API_KEY_PREFIX: &str = "wmx_";
const API_KEY_RANDOM_BYTES: usize = 32;

/// A new API key: a prefix that makes leaked keys easy to spot, then 32 random bytes.
pub fn generate() -> String {
    format!("{API_KEY_PREFIX}{}", random_token(API_KEY_RANDOM_BYTES))
}

/// `bytes` random bytes from the OS-seeded CSPRNG, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_prefixed_and_unique() {
        let (a, b) = (generate(), generate());
        assert!(a.starts_with(API_KEY_PREFIX));
        assert_eq!(a.len(), API_KEY_PREFIX.len() + 43);
        assert_ne!(a, b);
    }
}
