//! Three real `wamux` processes on one fresh PostgreSQL database, checked
//! through the HTTP API only. Skipped without `TEST_DATABASE_URL`.

mod events;
mod failover;
mod fencing;
mod routing;

use reqwest::Method;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{TestDb, eventually, json_body};
use crate::process::ServerProcess;
use crate::receiver::free_port;

pub const SECRET: &str = "cluster-secret-of-at-least-thirty-two-bytes";
pub const LEASE_TTL_MS: u64 = 2000;

pub struct Cluster {
    pub nodes: Vec<ServerProcess>,
    _dirs: Vec<TempDir>,
}

impl Cluster {
    /// `None` when no PostgreSQL is configured for tests.
    pub async fn start(count: usize) -> Option<Self> {
        Self::start_with(count, &[]).await
    }

    pub async fn start_with(count: usize, extra: &[(&str, &str)]) -> Option<Self> {
        let db = TestDb::postgres()?;
        let first_dir = TempDir::new().unwrap();
        let url = db.provision(&first_dir).await;
        let mut dirs = vec![first_dir];
        let mut nodes = Vec::new();
        for n in 1..=count {
            if dirs.len() < n {
                dirs.push(TempDir::new().unwrap());
            }
            let port = free_port();
            let advertise = format!("http://127.0.0.1:{port}");
            let node_id = format!("n{n}");
            let ttl = LEASE_TTL_MS.to_string();
            let mut envs: Vec<(&str, &str)> = vec![
                ("WAMUX__DATABASE__URL", &url),
                ("WAMUX__CLUSTER__ENABLED", "true"),
                ("WAMUX__CLUSTER__NODE_ID", &node_id),
                ("WAMUX__CLUSTER__ADVERTISE_URL", &advertise),
                ("WAMUX__CLUSTER__SECRET", SECRET),
                ("WAMUX__CLUSTER__LEASE_TTL_MS", &ttl),
                ("WAMUX__SUPERVISION__BACKOFF_INITIAL_MS", "200"),
            ];
            envs.extend_from_slice(extra);
            nodes.push(ServerProcess::start_on(dirs[n - 1].path(), port, &envs).await);
        }
        let cluster = Self { nodes, _dirs: dirs };
        cluster.wait_until_all_listed().await;
        Some(cluster)
    }

    async fn wait_until_all_listed(&self) {
        for node in &self.nodes {
            eventually("every node to list every node", || async {
                let listed = node.get("/api/admin/nodes").await;
                (listed["nodes"].as_array().map(Vec::len) == Some(self.nodes.len())).then_some(())
            })
            .await;
        }
    }

    pub fn node(&self, node_id: &str) -> &ServerProcess {
        let n: usize = node_id.trim_start_matches('n').parse().unwrap();
        &self.nodes[n - 1]
    }

    pub fn node_mut(&mut self, node_id: &str) -> &mut ServerProcess {
        let n: usize = node_id.trim_start_matches('n').parse().unwrap();
        &mut self.nodes[n - 1]
    }

    /// Every running node's console, for a failure's message.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .enumerate()
            .map(|(n, node)| format!("--- n{} ---\n{}", n + 1, node.log()))
            .collect()
    }

    /// n1 gets a first instance, so that the next two go to n2 and n3.
    pub async fn place_first_on_n1(&self) {
        let entry = &self.nodes[0];
        let (status, _) = call(
            entry,
            Method::POST,
            "/api/instances",
            Some(serde_json::json!({"name": "first"})),
        )
        .await;
        assert_eq!(status, 201);
        eventually("the first instance placed on n1", || async {
            (entry.get("/api/admin/nodes").await["nodes"][0]["instances"] == 1).then_some(())
        })
        .await;
    }

    /// The node holding the instance, as `entry` answers.
    pub async fn holder(&self, entry: &ServerProcess, instance_id: &str) -> Option<String> {
        let found = entry.get(&format!("/api/instances/{instance_id}")).await;
        found["node"].as_str().map(str::to_owned)
    }

    /// Creates an instance through `entry`, waits until its QR is up, scans it
    /// with `phone` (all through `entry`) and waits until connected.
    pub async fn paired(
        &self,
        entry: &ServerProcess,
        name: &str,
        phone: &str,
        extra: Value,
    ) -> String {
        entry.paired_instance(name, phone, extra).await
    }
}

/// The answer's status and JSON body.
pub async fn call(
    node: &ServerProcess,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = node.request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, json_body(answer).await)
}
