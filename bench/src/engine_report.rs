//! The report's rows for the real engine through the WhatsApp test server.

use std::fmt::Write;

use crate::engine::EngineFigures;
use crate::rows::{mark, throughput_row};

/// A connected engine instance may hold this much of the server's memory, and one descriptor.
const IDLE_BYTES_TARGET: f64 = 300.0 * 1024.0;
/// The engine's end-to-end message rate, as a share of the sim's in the same run.
const MESSAGING_TARGET: f64 = 0.5;

pub fn rows(out: &mut String, figures: Option<&EngineFigures>) {
    let Some(figures) = figures else {
        let _ = writeln!(
            out,
            "| the real engine through the WhatsApp test server | not run (cargo build --release -p wa-mock; run with --features mock-whatsapp) | | — |"
        );
        return;
    };
    for idle in &figures.idle {
        let per = &idle.per_instance;
        let _ = writeln!(
            out,
            "| {} connected idle engine instances (linked through wa-mock in {:.1} s), after {} s idle | per instance {:.1} KB, {:.2} descriptors ({:.2} sockets; the rest the database pool's files), {:.2} threads; the server used {:.1} % of a core | ≤ 300 KB and ≤ 1 descriptor (socket) per instance | {} |",
            idle.instances,
            idle.link_secs,
            idle.idle_secs,
            per.rss_bytes / 1024.0,
            per.descriptors,
            per.sockets,
            per.threads,
            per.cpu_percent,
            mark(per.rss_bytes <= IDLE_BYTES_TARGET && per.sockets <= 1.0)
        );
    }
    if let Some(restore) = &figures.restore {
        let _ = writeln!(
            out,
            "| restore {} linked engine instances (process start to all connected to wa-mock, no QR) | {:.2} s | | — |",
            restore.instances, restore.secs
        );
    }
    if let Some(messaging) = &figures.messaging {
        let pairs = messaging.pairs;
        throughput_row(
            out,
            &format!(
                "engine: send → recipient's `message_received`, {pairs} pairs through wa-mock"
            ),
            &messaging.engine,
            "messages",
            "",
            None,
        );
        throughput_row(
            out,
            &format!("sim: send → recipient's `message_received`, {pairs} pairs (same run)"),
            &messaging.sim,
            "messages",
            "",
            None,
        );
        let ratio = messaging.engine.per_second / messaging.sim.per_second.max(1e-9);
        let _ = writeln!(
            out,
            "| engine / sim, messages end to end | {ratio:.2} | ≥ {MESSAGING_TARGET:.2} | {} |",
            mark(ratio >= MESSAGING_TARGET)
        );
    }
}

pub const NOTES: &str = "
- **The real engine** (run with `--features mock-whatsapp`, `wa-mock` built beside the
  bench): the server runs whatsapp-rust against the WhatsApp test server on the same
  machine, which speaks the wire protocol (Noise, binary nodes) and relays the Signal
  payloads; each account's phone is a whatsapp-rust client inside the mock. Idle: every
  instance is linked by a QR scan of a new account's phone and connected; resident
  memory, descriptors and threads of the server minus what it held before the
  instances, divided by their number, after they idled; CPU over the last 10 s.
  Restore: the same server stopped (SIGTERM) and started again on its database, timed
  from process start until `/api/stats/system` counts every instance connected (each
  one logs in again with Noise IK, no QR). Messaging: pairs of linked instances send
  each other texts both ways, each carrying when its request left; the figure is from
  that moment to the recipient's signed `message_received` webhook (encryption, the
  relay, decryption, the recipient's row and outbox), rate over the run until the last
  arrival; the sim's row is the same measurement between simulated instances, in the
  same run. The mock shares the machine's two cores with the server and the load.
- **Where an idle engine instance's memory goes** (heaptrack on the release server, 200
  connected idle instances, the heap still live at idle, measured once on 2026-12-07): 46.6 MB
  live in all. Per instance: ~46 KB the Noise socket's write buffer (whatsapp-rust keeps the
  64 KiB coalescing buffer its first large write — the pre-key upload — grew, and never
  shrinks it); ~27 KB WebSocket and frame I/O buffers (tokio-websockets' codec, the Noise
  frame decoder); ~65 KB the engine client's own structures (the client, its chat lanes,
  device topology, message handler, background workers); ~19 KB wamux's session attempt.
  Fixed: ~14 MB SQLite page caches and statements of the 16-connection pool. The resident
  growth beyond the live heap is the allocator keeping freed pages of the linking burst
  (`malloc_trim` returned 16 of the 75 MB it added at 200 instances), which is why the
  figure per instance falls as instances are added. What would cut it: the engine
  shrinking its write buffer once a burst is sent (upstream), smaller WebSocket buffers,
  and an allocator that returns freed pages (or a trim after bursts of linking).
- **Messaging** on the engine costs more than on the simulated network by design: each text
  is Signal-encrypted for three devices (the recipient's phone and linked device, and the
  sender's own phone), whose Signal state is written to the database before the message
  leaves; the receiving engine writes its own before acknowledging; and each message
  brings back three receipts (two deliveries and the sender's phone's), each a status
  write. On SQLite all of those share the one writer (the mock counts, per message, one
  relayed message, three receipts and four receipt acks, and no retry).
";
