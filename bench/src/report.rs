//! The report: one table, with the machine it was measured on.

use std::fmt::Write;

use crate::rows::{mark, throughput_row};
use crate::scenarios::{Plan, Results, Sends};

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn memory_gib() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0)
}

fn sends_row(out: &mut String, name: &str, sends: &Sends, target: &str, met: Option<bool>) {
    throughput_row(out, name, &sends.figures, "messages", target, met);
    let _ = writeln!(
        out,
        "| {name}: persisted | {} of {} answered sends in the history | every answered send | {} |",
        sends.persisted,
        sends.answered,
        mark(sends.persisted >= sends.answered)
    );
}

pub fn render(plan: &Plan, r: &Results) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let build = if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    };
    let _ = writeln!(out, "# wamux benchmarks\n");
    let _ = writeln!(
        out,
        "Measured {} on {cores} cores ({}), {:.1} GiB memory, {build}{}. Server and load generator share the machine; \
         each throughput figure is the median of {} runs of {} s with {} requests in flight.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        cpu_model(),
        memory_gib(),
        if plan.quick {
            ", quick mode (small sizes; not comparable)"
        } else {
            ""
        },
        plan.reps,
        plan.duration.as_secs(),
        plan.threads * plan.concurrency,
    );
    let _ = writeln!(out, "| measurement | result | target | met |");
    let _ = writeln!(out, "|---|---|---|---|");
    let ratio = r.status.per_second / r.bare.per_second.max(1e-9);
    throughput_row(
        &mut out,
        "GET /api/whatsapp/{id}/status (API key)",
        &r.status,
        "req",
        "",
        None,
    );
    throughput_row(
        &mut out,
        "bare actix-web JSON handler",
        &r.bare,
        "req",
        "",
        None,
    );
    let _ = writeln!(
        out,
        "| status / bare actix-web | {:.2} | ≥ 0.50 | {} |",
        ratio,
        mark(ratio >= 0.5)
    );
    sends_row(
        &mut out,
        "POST send, SQLite",
        &r.sends_sqlite,
        "≥ 5,000 messages/s",
        Some(r.sends_sqlite.figures.per_second >= 5000.0),
    );
    match &r.sends_postgres {
        Some(pg) => sends_row(
            &mut out,
            "POST send, PostgreSQL",
            pg,
            "≥ 8,000 messages/s, p99 ≤ 30 ms",
            Some(pg.figures.per_second >= 8000.0 && pg.figures.p99_ms <= 30.0),
        ),
        None => {
            let _ = writeln!(
                out,
                "| POST send, PostgreSQL | not run (set BENCH_DATABASE_URL) | | — |"
            );
        }
    }
    let w = &r.webhooks;
    let _ = writeln!(
        out,
        "| webhooks (signed, {} delivered, {} bad signatures) | {:.0} deliveries/s, event to receipt p50 {:.1} ms, p99 {:.1} ms | ≥ 5,000/s, p99 < 50 ms | {} |",
        w.delivered,
        w.bad_signatures,
        w.per_second,
        w.p50_ms,
        w.p99_ms,
        mark(w.per_second >= 5000.0 && w.p99_ms < 50.0 && w.bad_signatures == 0)
    );
    if let Some(g) = &r.groups {
        groups_rows(&mut out, g);
    }
    if let Some(sessions) = &r.sessions {
        sessions_rows(&mut out, sessions);
    }
    if let Some(cluster) = &r.cluster {
        crate::cluster_report::rows(&mut out, cluster);
    }
    memory_rows(&mut out, r);
    if plan.wants_engine() {
        crate::engine_report::rows(&mut out, r.engine.as_ref());
    }
    out.push_str(NOTES);
    out.push_str(crate::cluster_report::NOTES);
    out.push_str(crate::engine_report::NOTES);
    out
}

fn mix_rows(out: &mut String, name: &str, rates: &crate::scenarios::MixRates, target: bool) {
    let instances = crate::store_mix::INSTANCES;
    let files = rates.engine_files.max(1.0);
    let _ = writeln!(
        out,
        "| session store, {name}, {instances} instances at once: the engine's own SQLite files | {:.0} operations/s | (reference) | — |",
        rates.engine_files
    );
    let databases = [
        ("SQLite", Some(rates.database_sqlite)),
        ("PostgreSQL", rates.database_postgres),
    ];
    for (database, rate) in databases {
        let Some(rate) = rate else { continue };
        let _ = writeln!(
            out,
            "| session store, {name}, {instances} instances at once: database store on {database} | {rate:.0} operations/s ({:.2}× the files) | {} | {} |",
            rate / files,
            if target {
                "not below the files"
            } else {
                "(worst case, no target)"
            },
            if target {
                mark(rate >= rates.engine_files)
            } else {
                "—"
            }
        );
    }
}

fn sessions_rows(out: &mut String, s: &crate::scenarios::Sessions) {
    mix_rows(out, "engine mix", &s.engine_mix, true);
    mix_rows(out, "every call reaching the store", &s.every_call, false);
    let ratio = s.sends_beside.per_second / s.sends_alone.per_second.max(1.0);
    let _ = writeln!(
        out,
        "| SQLite sends with the engine mix in the same server (50 instances × 10 messages/s: {:.0} store operations/s beside) | {:.0} messages/s, p99 {:.2} ms, vs {:.0}/s, p99 {:.2} ms alone ({:.2}×) | within 20 % | {} |",
        s.mix_beside,
        s.sends_beside.per_second,
        s.sends_beside.p99_ms,
        s.sends_alone.per_second,
        s.sends_alone.p99_ms,
        ratio,
        mark(ratio >= 0.8)
    );
}

fn groups_rows(out: &mut String, g: &crate::scenarios::Groups) {
    let _ = writeln!(
        out,
        "| GET groups: {} groups of {} members (sim) | p50 {:.1} ms, p99 {:.1} ms | < 100 ms | {} |",
        g.listed_groups,
        g.members_per_group,
        g.list_p50_ms,
        g.list_p99_ms,
        mark(g.list_p99_ms < 100.0)
    );
    let _ = writeln!(
        out,
        "| send to a {}-member group: request to the last member's `message_received` webhook | median {:.0} ms, slowest {:.0} ms{} | — | — |",
        g.fanout_members,
        g.fanout_p50_ms,
        g.fanout_max_ms,
        if g.fanout_missing > 0 {
            format!(", {} webhooks missing", g.fanout_missing)
        } else {
            String::new()
        }
    );
}

/// Idle memory and restore time at each scale, send-file memory, offline instances.
fn memory_rows(out: &mut String, r: &Results) {
    for s in &r.scale {
        let _ = writeln!(
            out,
            "| {} idle sim instances | {:.1} KB resident per instance | ≤ 20 KB | {} |",
            s.instances,
            s.bytes_per_instance / 1024.0,
            mark(s.bytes_per_instance <= 20.0 * 1024.0)
        );
        let _ = writeln!(
            out,
            "| restore {} instances at boot (process start to all connected) | {:.2} s | {} | {} |",
            s.instances,
            s.restore_secs,
            if s.instances == 10_000 { "< 5 s" } else { "" },
            if s.instances == 10_000 {
                mark(s.restore_secs < 5.0)
            } else {
                "—"
            }
        );
    }
    let m = &r.media;
    let growth = m.peak_growth_bytes as f64 / m.file_bytes.max(1) as f64;
    let _ = writeln!(
        out,
        "| send-file of {:.1} MB | {:.1} MB/s, peak RSS growth {:.1} MB ({:.2}× the file) | growth < 4× | {} |",
        m.file_bytes as f64 / 1024.0 / 1024.0,
        m.mb_per_second,
        m.peak_growth_bytes as f64 / 1024.0 / 1024.0,
        growth,
        mark(growth < 4.0)
    );
    if let Some(h) = &r.hostile {
        let mb = |bytes: f64| bytes / 1024.0 / 1024.0;
        let growth = h.uploads_peak_growth as f64 / h.upload_bytes.max(1) as f64;
        let _ = writeln!(
            out,
            "| {} send-file uploads of {:.0} MB at once (all in flight) | {} answered 200, peak RSS growth {:.1} MB ({:.2}× one upload) | growth ≤ 2× the largest upload | {} |",
            h.uploads,
            mb(h.upload_bytes as f64),
            h.uploads_answered,
            mb(h.uploads_peak_growth as f64),
            growth,
            mark(growth <= 2.0 && h.uploads_answered == h.uploads)
        );
        let per_stream = h.streams_peak_growth as f64 / h.streams.max(1) as f64;
        let _ = writeln!(
            out,
            "| {} event streams never read, {} inbound messages of {:.0} KB | peak RSS growth {:.1} MB ({:.2} MB a stream); held after: {:.0} bytes | ≤ 2 MB a stream (1 MiB backlog bound) | {} |",
            h.streams,
            h.stream_frames,
            h.frame_bytes as f64 / 1000.0,
            mb(h.streams_peak_growth as f64),
            mb(per_stream),
            h.streams_held_after,
            mark(per_stream <= 2.0 * 1024.0 * 1024.0 && h.streams_held_after == 0.0)
        );
    }
    if let Some(o) = &r.offline {
        let (early_secs, early) = o.early;
        let (late_secs, late) = o.late;
        let _ = writeln!(
            out,
            "| {} offline engine instances retrying (default backoff, {} attempts), sessions in the database | per instance after {early_secs} s: {:.2} descriptors, {:.1} KB; after {late_secs} s: {:.2} descriptors, {:.1} KB | flat | {} |",
            o.instances,
            o.attempts,
            early.descriptors,
            early.rss_bytes / 1024.0,
            late.descriptors,
            late.rss_bytes / 1024.0,
            mark(o.flat())
        );
        offline_row(out, o);
    }
    if let Some(o) = &r.offline_files {
        offline_row(out, o);
    }
}

/// An idle engine instance's cost by where its session is: the target is the database's.
fn offline_row(out: &mut String, o: &crate::offline::Offline) {
    let store = o.session_store;
    let (secs, figures) = o.early;
    let target = store == "database";
    let met =
        figures.rss_bytes <= 256.0 * 1024.0 && figures.descriptors < 1.0 && figures.threads < 1.0;
    let _ = writeln!(
        out,
        "| {} idle engine instances (unreachable WhatsApp), `session_store = \"{store}\"`, after {secs} s | per instance {:.1} KB, {:.2} descriptors, {:.2} threads; the server used {:.1} % of a core | {} | {} |",
        o.instances,
        figures.rss_bytes / 1024.0,
        figures.descriptors,
        figures.threads,
        figures.cpu_percent,
        if target {
            "≤ 256 KB, < 1 descriptor and < 1 thread per instance"
        } else {
            "(comparison)"
        },
        if target { mark(met) } else { "—" }
    );
}

const NOTES: &str = "
## How it is measured, and what limits it

- Run with `cargo run --release -p wamux-bench --features mock-whatsapp` (`BENCH_DATABASE_URL=postgres://…` adds
  PostgreSQL). The server is the real `wamux` code on the simulated network, in its own
  process with a fresh database; the load generator is an awc client on two threads in
  the parent process, over loopback. Both share the same two cores, so every figure
  includes the generator's own cost, and the bare actix-web figure is measured the same
  way in the same run.
- **Status route**: authentication (cached API key), the rate limiter, the registry
  lookup and the status the instance actor publishes (no mailbox round trip), the
  request span, the HTTP metrics and the API-call tally. Profiled, the rest of the gap
  to bare actix-web is those middlewares' allocations and the request span; routes are
  matched by scope prefix, so the router does not try every pattern.
- **Sends** are persisted before they are answered: each one is written as pending with
  its WhatsApp id, handed to the session, marked sent, and only then answered. SQLite
  has one writer: all writes go through one queue whose batches become one transaction
  with one multi-row statement per kind of row. That writer is the limit
  (profile: SQLite B-tree and WAL work, malloc, context switches). PostgreSQL pays a
  commit (fsync) per batch.
- **Webhooks** are signed, written to the outbox before their first attempt, one in
  flight per instance; the figure is limited by how fast sends create events.
- **Groups**: one account in N groups of outside phones; the list route reads the
  account's memberships, the groups and their member counts in three queries whatever N.
  The fan-out send goes from one of 256 instances to a group of all of them: the figure is
  from the send's request to the arrival of the last of the 255 members' `message_received`
  webhooks (each member stores the message, writes its webhook to the outbox and delivers
  it), median of five sends.
- **Memory per idle instance** is (RSS with N connected instances − RSS of the same
  server, started the same way, with none) / N, read from `/proc/<pid>/status` three
  seconds after the last instance connected. An idle simulated session keeps only its
  own small state (database and QR futures are boxed and freed once awaited), and the
  session store is read by at most four instances at once at boot, so restoring does
  not leave the allocator holding a burst.
- **Restore** is from process start (migrations included) until the system statistics
  report every instance connected, with `supervision.boot_stagger_ms = 0`.
- **Offline engine instances**: the real whatsapp-rust engine pointed at a port where
  nothing listens (every connect refused), with the default supervision backoff. Open
  descriptors (`/proc/<pid>/fd`) and RSS of the server, minus what it held before the
  instances were created, divided by their number, early and late: an attempt that ends
  must release its client, store and tasks, so the late figures stay where the early
  ones were.
- **Session store**: the mix of `store_mix.rs` (per message: the contact's identity and
  Signal session read, the advanced session and the sent message written; every fourth a
  group sender key read and advanced; every tenth a pre-key consumed and replenished;
  every twentieth an app-state patch), on 50 instances' stores at once from a two-thread
  runtime as the engine's: the engine's own `SqliteStore` (one file per instance, as it
  is used), then wamux's database store on one SQLite database (reads on the pool, writes
  on the recorder's one writer connection, as in the server) and on PostgreSQL. Beside
  sends, the engine mix runs inside the server on the server's own connections, paced at
  ten messages a second per instance, so the engine's writes and the recorder's batches
  share SQLite's one writer as they do in production; the two send figures are from two
  fresh servers in the same run. Store writes are committed in groups (one transaction
  for whatever queued during the previous one, rows of one table from all instances in
  one statement); a write returns only once committed.
- **send-file** peak growth is the peak RSS (`VmHWM`, reset before the runs) minus the
  resident size before them. The file goes to a phone outside the simulated network, as a
  send to WhatsApp does: the upload is buffered once, encrypted with the engine's media
  encryption into one buffer, and not kept (an instance receiving it in the same process
  would add its own download and decryption, which is not the sender's cost).
";
