//! The server side of WhatsApp's Noise handshake (XX on first contact, IK when
//! the client cached this server's certificate chain, XX-fallback when its
//! cached key is not ours), and the transport cipher that follows.
//!
//! The symmetric state is wacore-noise's own `NoiseHandshake`, so both sides
//! share one implementation of the hash, key mixing and nonce rules.

use anyhow::{Context, anyhow, bail};
use whatsapp_rust::buffa::{Message as _, MessageField};
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore::noise::{NoiseCipher, NoiseHandshake};
use whatsapp_rust::wacore_binary::consts::{
    NOISE_PATTERN_IK, NOISE_PATTERN_XX, NOISE_PATTERN_XXFALLBACK, WA_CONN_HEADER,
};
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::waproto::whatsapp::cert_chain::noise_certificate;

/// The server's long-lived Noise key and the certificate chain that names it.
pub struct ServerIdentity {
    keys: KeyPair,
    cert_chain: Vec<u8>,
}

impl ServerIdentity {
    pub fn generate() -> Self {
        let keys = KeyPair::generate(&mut rand::rng());
        let cert_chain = cert_chain_naming(keys.public_key.public_key_bytes());
        Self { keys, cert_chain }
    }

    fn public(&self) -> &[u8] {
        self.keys.public_key.public_key_bytes()
    }

    fn private(&self) -> &[u8] {
        self.keys.private_key.serialize()
    }
}

/// A chain shaped like WhatsApp's (intermediate, then a leaf holding the server's
/// static key) but signed by nobody: only a client built with wacore's
/// `danger-skip-cert-chain-verify` accepts it. The validity window lets clients
/// cache it and come back with IK.
fn cert_chain_naming(server_static: &[u8]) -> Vec<u8> {
    let certificate = |details: noise_certificate::Details| wa::cert_chain::NoiseCertificate {
        details: Some(details.encode_to_vec()),
        signature: Some(vec![0; 64]),
    };
    let intermediate = noise_certificate::Details {
        serial: Some(1),
        issuer_serial: Some(0),
        key: Some(rand::random::<[u8; 32]>().to_vec()),
        not_before: Some(1_700_000_000),
        not_after: Some(4_000_000_000),
    };
    let leaf = noise_certificate::Details {
        serial: Some(2),
        issuer_serial: Some(1),
        key: Some(server_static.to_vec()),
        not_before: Some(1_700_000_000),
        not_after: Some(4_000_000_000),
    };
    wa::CertChain {
        intermediate: MessageField::some(certificate(intermediate)),
        leaf: MessageField::some(certificate(leaf)),
    }
    .encode_to_vec()
}

/// What a finished handshake yields: who the client is and what it said.
pub struct Established {
    /// The client's Noise static key: a device is bound to it at pairing.
    pub client_static: [u8; 32],
    /// The `ClientPayload` (login or registration).
    pub payload: Vec<u8>,
    pub cipher: TransportCipher,
}

/// Which XX the server answered a ClientHello with (IK needs no finish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Xx,
    /// The client tried IK with a server key that is not ours.
    XxFallback,
}

/// The server's answer to a ClientHello.
pub enum Answer {
    /// IK accepted: nothing more to read before the payload is handled.
    Established { hello: Vec<u8>, done: Established },
    /// XX or XX-fallback: the ClientFinish comes next.
    AwaitFinish {
        hello: Vec<u8>,
        pending: AwaitingFinish,
        pattern: Pattern,
    },
}

pub struct AwaitingFinish {
    noise: NoiseHandshake,
    ephemeral: KeyPair,
}

/// Answers a ClientHello (the protobuf of the first frame).
pub fn answer_hello(identity: &ServerIdentity, frame: &[u8]) -> anyhow::Result<Answer> {
    let hello = wa::HandshakeMessage::decode_from_slice(frame)
        .context("the first frame is not a HandshakeMessage")?
        .client_hello
        .into_option()
        .ok_or_else(|| anyhow!("the first frame holds no ClientHello"))?;
    let client_ephemeral = key32(hello.ephemeral.as_deref(), "client ephemeral")?;
    match (hello.r#static, hello.payload) {
        (Some(sealed_static), Some(sealed_payload)) => {
            match accept_ik(identity, &client_ephemeral, &sealed_static, &sealed_payload) {
                Ok(answer) => Ok(answer),
                // Sealed for another server key (a cache from an earlier mock):
                // continue as XX-fallback, which repopulates the client's cache.
                Err(_) => start_xx(identity, &client_ephemeral, Pattern::XxFallback),
            }
        }
        _ => start_xx(identity, &client_ephemeral, Pattern::Xx),
    }
}

fn start_xx(
    identity: &ServerIdentity,
    client_ephemeral: &[u8; 32],
    pattern: Pattern,
) -> anyhow::Result<Answer> {
    let name = if pattern == Pattern::XxFallback {
        NOISE_PATTERN_XXFALLBACK
    } else {
        NOISE_PATTERN_XX
    };
    let mut noise = NoiseHandshake::new(name, &WA_CONN_HEADER)?;
    noise.authenticate(client_ephemeral);
    let ephemeral = KeyPair::generate(&mut rand::rng());
    noise.authenticate(ephemeral.public_key.public_key_bytes());
    noise.mix_shared_secret(ephemeral.private_key.serialize(), client_ephemeral)?;
    let sealed_static = noise.encrypt(identity.public())?;
    noise.mix_shared_secret(identity.private(), client_ephemeral)?;
    let sealed_chain = noise.encrypt(&identity.cert_chain)?;
    let hello = server_hello(&ephemeral, Some(sealed_static), sealed_chain);
    Ok(Answer::AwaitFinish {
        hello,
        pending: AwaitingFinish { noise, ephemeral },
        pattern,
    })
}

impl AwaitingFinish {
    /// Reads the ClientFinish: the client's static key and its payload.
    pub fn finish(mut self, frame: &[u8]) -> anyhow::Result<Established> {
        let finish = wa::HandshakeMessage::decode_from_slice(frame)
            .context("the ClientFinish frame is not a HandshakeMessage")?
            .client_finish
            .into_option()
            .ok_or_else(|| anyhow!("expected a ClientFinish"))?;
        let (Some(sealed_static), Some(sealed_payload)) = (finish.r#static, finish.payload) else {
            bail!("the ClientFinish lacks its static key or payload");
        };
        let client_static = key32(Some(&self.noise.decrypt(&sealed_static)?), "client static")?;
        self.noise
            .mix_shared_secret(self.ephemeral.private_key.serialize(), &client_static)?;
        let payload = self.noise.decrypt(&sealed_payload)?;
        Ok(Established {
            client_static,
            payload,
            cipher: TransportCipher::from(self.noise)?,
        })
    }
}

fn accept_ik(
    identity: &ServerIdentity,
    client_ephemeral: &[u8; 32],
    sealed_static: &[u8],
    sealed_payload: &[u8],
) -> anyhow::Result<Answer> {
    let mut noise = NoiseHandshake::new(NOISE_PATTERN_IK, &WA_CONN_HEADER)?;
    noise.authenticate(identity.public());
    noise.authenticate(client_ephemeral);
    noise.mix_shared_secret(identity.private(), client_ephemeral)?;
    let client_static = key32(Some(&noise.decrypt(sealed_static)?), "client static")?;
    noise.mix_shared_secret(identity.private(), &client_static)?;
    let payload = noise.decrypt(sealed_payload)?;
    let ephemeral = KeyPair::generate(&mut rand::rng());
    noise.authenticate(ephemeral.public_key.public_key_bytes());
    noise.mix_shared_secret(ephemeral.private_key.serialize(), client_ephemeral)?;
    noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
    let sealed_chain = noise.encrypt(&identity.cert_chain)?;
    Ok(Answer::Established {
        hello: server_hello(&ephemeral, None, sealed_chain),
        done: Established {
            client_static,
            payload,
            cipher: TransportCipher::from(noise)?,
        },
    })
}

fn server_hello(ephemeral: &KeyPair, sealed_static: Option<Vec<u8>>, payload: Vec<u8>) -> Vec<u8> {
    wa::HandshakeMessage {
        server_hello: MessageField::some(wa::handshake_message::ServerHello {
            ephemeral: Some(ephemeral.public_key.public_key_bytes().to_vec()),
            r#static: sealed_static,
            payload: Some(payload),
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn key32(bytes: Option<&[u8]>, what: &str) -> anyhow::Result<[u8; 32]> {
    bytes
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| anyhow!("{what} is not a 32-byte key"))
}

/// The two directions after the handshake, each with its own frame counter.
pub struct TransportCipher {
    /// The client's write key: frames from the client.
    inbound: NoiseCipher,
    /// The client's read key: frames to the client.
    outbound: NoiseCipher,
    received: u32,
    sent: u32,
}

impl TransportCipher {
    fn from(noise: NoiseHandshake) -> anyhow::Result<Self> {
        let (client_write, client_read) = noise.finish()?;
        Ok(Self {
            inbound: client_write,
            outbound: client_read,
            received: 0,
            sent: 0,
        })
    }

    pub fn open(&mut self, mut frame: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        self.inbound
            .decrypt_in_place_with_counter(self.received, &mut frame)?;
        self.received = self.received.wrapping_add(1);
        Ok(frame)
    }

    pub fn seal(&mut self, plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        let sealed = self.outbound.encrypt_with_counter(self.sent, plaintext)?;
        self.sent = self.sent.wrapping_add(1);
        Ok(sealed)
    }
}
