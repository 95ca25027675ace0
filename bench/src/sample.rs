//! What a server process holds, per instance: descriptors, resident memory,
//! threads, and the CPU it used over a window, from `/proc`.

use std::time::{Duration, Instant};

use crate::process::rss;

#[derive(Debug, Clone, Copy)]
pub struct PerInstance {
    pub descriptors: f64,
    /// Of those, sockets (an engine instance's connection to WhatsApp is one).
    pub sockets: f64,
    pub rss_bytes: f64,
    pub threads: f64,
    /// Share of one core the whole server used over the window before the sample.
    pub cpu_percent: f64,
}

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;
/// The window over which CPU use is measured, ending at the sample.
pub const CPU_WINDOW: Duration = Duration::from_secs(10);

/// The process before the instances exist.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    pid: u32,
    rss: u64,
    descriptors: u64,
    sockets: u64,
    threads: u64,
}

impl Baseline {
    pub fn take(pid: u32) -> anyhow::Result<Self> {
        Ok(Self {
            pid,
            rss: rss(pid)?.0,
            descriptors: open_descriptors(pid)?,
            sockets: open_sockets(pid)?,
            threads: threads_of(pid)?,
        })
    }

    /// Waits until `at` (measured from `since`), watching the CPU over the
    /// last `CPU_WINDOW` of it; what `count` instances added, each.
    pub async fn sample_at(
        &self,
        since: Instant,
        at: Duration,
        count: usize,
    ) -> anyhow::Result<PerInstance> {
        let pid = self.pid;
        actix_web::rt::time::sleep(
            at.saturating_sub(CPU_WINDOW)
                .saturating_sub(since.elapsed()),
        )
        .await;
        let (ticks_before, window_start) = (cpu_ticks(pid)?, Instant::now());
        actix_web::rt::time::sleep(at.saturating_sub(since.elapsed())).await;
        let busy = (cpu_ticks(pid)? - ticks_before) as f64 / TICKS_PER_SECOND;
        let count = count.max(1) as f64;
        Ok(PerInstance {
            descriptors: open_descriptors(pid)?.saturating_sub(self.descriptors) as f64 / count,
            sockets: open_sockets(pid)?.saturating_sub(self.sockets) as f64 / count,
            rss_bytes: rss(pid)?.0.saturating_sub(self.rss) as f64 / count,
            threads: threads_of(pid)?.saturating_sub(self.threads) as f64 / count,
            cpu_percent: busy / window_start.elapsed().as_secs_f64() * 100.0,
        })
    }
}

fn threads_of(pid: u32) -> anyhow::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/task"))?.count() as u64)
}

fn open_descriptors(pid: u32) -> anyhow::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count() as u64)
}

fn open_sockets(pid: u32) -> anyhow::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?
        .filter_map(Result::ok)
        .filter(|entry| {
            std::fs::read_link(entry.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        })
        .count() as u64)
}

/// CPU time the process has used, in clock ticks (user + system).
fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(field(11) + field(12))
}
