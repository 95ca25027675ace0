//! The small key domains the conformance operations draw from, and how an
//! unordered answer is compared.

pub(super) fn address(n: u8) -> String {
    // Device 0 and companion devices of users 1..3.
    match n % 2 {
        0 => format!("1{}@s.whatsapp.net", n / 2),
        _ => format!("1{}:{}@s.whatsapp.net", n / 2, n),
    }
}

pub(super) fn jid(n: u8) -> String {
    format!("{n}@lid")
}

pub(super) fn group(n: u8) -> String {
    format!("1203630{n}@g.us")
}

pub(super) fn sorted<T: Ord + std::fmt::Debug>(answer: Result<Vec<T>, ()>) -> String {
    match answer {
        Ok(mut items) => {
            items.sort();
            format!("{items:?}")
        }
        Err(()) => "error".into(),
    }
}
