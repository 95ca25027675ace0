//! Direct HTTPS with rustls, from `server.tls_cert` / `server.tls_key` (PEM).

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub fn server_config(cert_path: &str, key_path: &str) -> anyhow::Result<ServerConfig> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| anyhow::anyhow!("server.tls_cert {cert_path}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("server.tls_cert {cert_path}: {e}"))?;
    if certs.is_empty() {
        anyhow::bail!("server.tls_cert {cert_path}: no certificate in the file");
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| anyhow::anyhow!("server.tls_key {key_path}: {e}"))?;
    let config =
        ServerConfig::builder_with_provider(rustls::crypto::ring::default_provider().into())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| anyhow::anyhow!("server.tls_cert/tls_key do not match: {e}"))?;
    Ok(config)
}
