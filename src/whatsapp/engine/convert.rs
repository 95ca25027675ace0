//! Translation between the engine's types and the boundary's.

use whatsapp_rust::SendError;

use crate::whatsapp::WaError;

/// `ABCDEFGH` as WhatsApp shows it: `ABCD-EFGH`.
pub fn pairing_code(code: &str) -> String {
    let code: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    match code.len() {
        8 => format!("{}-{}", &code[..4], &code[4..]),
        _ => code,
    }
}

pub fn send_error(err: SendError) -> WaError {
    match err {
        SendError::NotLoggedIn => WaError::NotConnected,
        SendError::InvalidRequest(reason) => WaError::Rejected(reason),
        other => WaError::Session(other.to_string()),
    }
}
