//! The cluster's rows of the report.

use std::fmt::Write;

use crate::scenarios::cluster::{ClusterFigures, LEASE_TTL_MS};

pub fn rows(out: &mut String, c: &ClusterFigures) {
    let ratio = c.forwarded.per_second / c.direct.per_second.max(1.0);
    let row = |out: &mut String, name: &str, t| {
        crate::rows::throughput_row(out, name, t, "req", "", None);
    };
    row(out, "cluster: GET status at the holder", &c.direct);
    row(
        out,
        "cluster: GET status through another node (forwarded)",
        &c.forwarded,
    );
    let _ = writeln!(
        out,
        "| cluster: forwarded / direct | {ratio:.2} | ≥ 0.50 | {} |",
        crate::rows::mark(ratio >= 0.5)
    );
    let _ = writeln!(
        out,
        "| cluster: {} instances of a killed node connected on the two others (`lease_ttl_ms = {LEASE_TTL_MS}`) | {:.2} s after `kill -9` | < 10 s | {} |",
        c.takeover_instances,
        c.takeover_secs,
        crate::rows::mark(c.takeover_secs < 10.0)
    );
}

pub const NOTES: &str =
    "- **Cluster** (PostgreSQL): two nodes; one instance created through the node that then
  holds it. The status route is asked of that node (direct) and of the other one, which
  finds the holder (a lease lookup) and forwards the request, signed with `cluster.secret`,
  over a kept-alive connection, streaming the answer back. The takeover starts one node
  with every instance, adds two, kills the first (SIGKILL: no drain) and measures until
  the two others' `/metrics` count every instance connected: the leases expire (at most
  `lease_ttl_ms` after the last renewal), the survivors take fair shares at their next
  renewal (every quarter TTL), and restore the sessions from the database.
";
