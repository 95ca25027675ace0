//! The report's table rows that several parts of it write alike.

use std::fmt::Write;

use crate::scenarios::Throughput;

pub fn mark(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

pub fn throughput_row(
    out: &mut String,
    name: &str,
    t: &Throughput,
    unit: &str,
    target: &str,
    met: Option<bool>,
) {
    let _ = writeln!(
        out,
        "| {name} | {:.0} {unit}/s, p50 {:.2} ms, p99 {:.2} ms{} | {target} | {} |",
        t.per_second,
        t.p50_ms,
        t.p99_ms,
        if t.failed > 0 {
            format!(", {} failed", t.failed)
        } else {
            String::new()
        },
        met.map_or("—", mark)
    );
}
