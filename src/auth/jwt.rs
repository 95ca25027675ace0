//! HS256 tokens with `sub`, `iat`, `exp` and `ver` (the user's token version
//! when issued, so a password change revokes them); the algorithm is pinned on
//! decode.

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

const SECRET_FILE: &str = "jwt_secret";
const GENERATED_SECRET_BYTES: usize = 64;
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    /// Tokens issued before versions existed carry none: version 0, every
    /// user's version until their first password change.
    #[serde(default)]
    ver: i64,
}

/// Who a valid token speaks for, and under which of their token versions.
#[derive(Debug, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: String,
    pub version: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2),
        }
    }

    pub fn issue(
        &self,
        user_id: &str,
        version: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            iat,
            exp: iat.saturating_add(self.ttl_secs),
            ver: version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The subject of a valid, unexpired token signed with our key; whether
    /// its version is still the user's is for the caller to check.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| TokenSubject {
                user_id: data.claims.sub,
                version: data.claims.ver,
            })
    }
}

/// The configured secret, or the one kept in `data_dir` (generated on first start),
/// so tokens survive restarts without anyone choosing a secret.
/// In a cluster with no `auth.jwt_secret`, every node derives the same one from
/// `cluster.secret`, so a token issued by one node is accepted by all.
pub fn derived_secret(cluster_secret: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mac = Hmac::<sha2::Sha256>::new_from_slice(cluster_secret)
        .map(|mut mac| {
            mac.update(b"wamux login tokens");
            mac.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default();
    hex::encode(mac).into_bytes()
}

pub fn load_or_create_secret(configured: &str, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(stored) if stored.trim().len() >= 64 => return Ok(stored.trim().as_bytes().to_vec()),
        Ok(_) => anyhow::bail!(
            "{} is too short; delete it to generate a new one",
            path.display()
        ),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(anyhow::anyhow!("reading {}: {err}", path.display())),
    }
    let mut secret = vec![0u8; GENERATED_SECRET_BYTES];
    rand::fill(secret.as_mut_slice());
    let secret = hex::encode(secret);
    std::fs::create_dir_all(data_dir)?;
    write_private(&path, secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_token_verifies_to_its_subject() -> anyhow::Result<()> {
        let keys = JwtKeys::new(SECRET, 60);
        let token = keys.issue("user-1", 3)?;
        let subject = TokenSubject {
            user_id: "user-1".into(),
            version: 3,
        };
        assert_eq!(keys.verify(&token), Some(subject));
        Ok(())
    }

    #[test]
    fn a_token_without_a_version_is_version_zero() -> anyhow::Result<()> {
        #[derive(Serialize)]
        struct Before {
            sub: &'static str,
            iat: i64,
            exp: i64,
        }
        let iat = chrono::Utc::now().timestamp();
        let before = Before {
            sub: "user-1",
            iat,
            exp: iat + 60,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &before,
            &EncodingKey::from_secret(SECRET),
        )?;
        let verified = JwtKeys::new(SECRET, 60).verify(&token);
        assert_eq!(verified.map(|s| s.version), Some(0));
        Ok(())
    }

    #[test]
    fn token_from_another_secret_is_refused() -> anyhow::Result<()> {
        let token = JwtKeys::new(b"another secret another secret 123", 60).issue("user-1", 0)?;
        assert_eq!(JwtKeys::new(SECRET, 60).verify(&token), None);
        Ok(())
    }

    #[test]
    fn generated_secret_is_kept_and_reused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let first = load_or_create_secret("", dir.path())?;
        let second = load_or_create_secret("", dir.path())?;
        assert_eq!(first, second);
        assert_eq!(first.len(), GENERATED_SECRET_BYTES * 2);
        Ok(())
    }
}
