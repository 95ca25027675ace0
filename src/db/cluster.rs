//! The cluster's shared state in PostgreSQL: the node registry and the instance
//! leases. Every time here is the database's clock (`NOW_MS`), so nodes whose
//! clocks disagree still agree on who holds what.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

/// The database's clock in Unix milliseconds.
const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// A lease this node holds: the instance and the epoch its writes carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub instance_id: String,
    pub epoch: i64,
}

/// A node as the registry shows it.
#[derive(Debug, Clone)]
pub struct Node {
    pub node_id: String,
    pub advertise_url: String,
    pub version: String,
    /// Unexpired leases it holds.
    pub instances: i64,
    pub heartbeat_at: i64,
    pub draining: bool,
    /// Heartbeat within the lease TTL and not draining.
    pub live: bool,
}

/// Who holds an instance, with where to reach them.
#[derive(Debug, Clone)]
pub struct Holder {
    pub node_id: String,
    pub advertise_url: String,
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

fn held_rows(rows: Vec<sea_orm::QueryResult>) -> Result<Vec<Held>, DbErr> {
    rows.into_iter()
        .map(|row| {
            Ok(Held {
                instance_id: row.try_get("", "instance_id")?,
                epoch: row.try_get("", "epoch")?,
            })
        })
        .collect()
}

/// Puts the node in the registry (again, after a restart: no longer draining).
pub async fn register(
    db: &DatabaseConnection,
    node_id: &str,
    advertise_url: &str,
    version: &str,
) -> Result<(), DbErr> {
    let sql = format!(
        "INSERT INTO cluster_nodes (node_id, advertise_url, version, started_at, heartbeat_at, draining)
         VALUES ($1, $2, $3, {NOW_MS}, {NOW_MS}, FALSE)
         ON CONFLICT (node_id) DO UPDATE SET advertise_url = excluded.advertise_url,
           version = excluded.version, started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at, draining = FALSE"
    );
    db.execute_raw(statement(
        &sql,
        vec![node_id.into(), advertise_url.into(), version.into()],
    ))
    .await
    .map(|_| ())
}

/// The node's heartbeat and the renewal of every unexpired lease it holds, in
/// one statement. An expired lease is not renewed: another node may take it.
pub async fn renew(
    db: &DatabaseConnection,
    node_id: &str,
    ttl_ms: i64,
) -> Result<Vec<Held>, DbErr> {
    let sql = format!(
        "WITH beat AS (UPDATE cluster_nodes SET heartbeat_at = {NOW_MS} WHERE node_id = $1)
         UPDATE instance_leases SET expires_at = {NOW_MS} + $2
         WHERE holder = $1 AND expires_at > {NOW_MS}
         RETURNING instance_id, epoch"
    );
    held_rows(
        db.query_all_raw(statement(&sql, vec![node_id.into(), ttl_ms.into()]))
            .await?,
    )
}

/// Every instance without a lease row gets an expired, unheld one (instances
/// from before the cluster was turned on), so that takeover finds them.
pub async fn lease_unleased(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let sql = "INSERT INTO instance_leases (instance_id, holder, epoch, expires_at)
         SELECT id, '', 0, 0 FROM instances
         WHERE deleted_at IS NULL AND id NOT IN (SELECT instance_id FROM instance_leases)
         ON CONFLICT (instance_id) DO NOTHING";
    Ok(db
        .execute_raw(statement(sql, vec![]))
        .await?
        .rows_affected())
}

/// Takes up to `limit` expired leases of live instances, each with a new epoch.
/// Rows another node is taking at the same moment are skipped, not waited for.
pub async fn claim_expired(
    db: &DatabaseConnection,
    node_id: &str,
    ttl_ms: i64,
    limit: i64,
) -> Result<Vec<Held>, DbErr> {
    let sql = format!(
        "UPDATE instance_leases SET holder = $1, epoch = epoch + 1, expires_at = {NOW_MS} + $2
         WHERE instance_id IN (
           SELECT l.instance_id FROM instance_leases l JOIN instances i ON i.id = l.instance_id
           WHERE l.expires_at <= {NOW_MS} AND i.deleted_at IS NULL
           ORDER BY l.instance_id LIMIT $3 FOR UPDATE OF l SKIP LOCKED)
         AND expires_at <= {NOW_MS}
         RETURNING instance_id, epoch"
    );
    held_rows(
        db.query_all_raw(statement(
            &sql,
            vec![node_id.into(), ttl_ms.into(), limit.into()],
        ))
        .await?,
    )
}

/// How many instances wait for a holder, how many leases this node holds, how
/// many instances there are, and how many nodes are live (for a fair share).
pub struct Share {
    pub expired: i64,
    pub mine: i64,
    pub total: i64,
    pub live_nodes: i64,
}

pub async fn share(db: &DatabaseConnection, node_id: &str, ttl_ms: i64) -> Result<Share, DbErr> {
    let sql = format!(
        "SELECT
           (SELECT count(*) FROM instance_leases l JOIN instances i ON i.id = l.instance_id
             WHERE l.expires_at <= {NOW_MS} AND i.deleted_at IS NULL) AS expired,
           (SELECT count(*) FROM instance_leases WHERE holder = $1 AND expires_at > {NOW_MS}) AS mine,
           (SELECT count(*) FROM instance_leases l JOIN instances i ON i.id = l.instance_id
             WHERE i.deleted_at IS NULL) AS total,
           (SELECT count(*) FROM cluster_nodes
             WHERE heartbeat_at > {NOW_MS} - $2 AND NOT draining) AS live_nodes"
    );
    let row = db
        .query_one_raw(statement(&sql, vec![node_id.into(), ttl_ms.into()]))
        .await?
        .ok_or_else(|| DbErr::Custom("no answer to the lease share query".into()))?;
    Ok(Share {
        expired: row.try_get("", "expired")?,
        mine: row.try_get("", "mine")?,
        total: row.try_get("", "total")?,
        live_nodes: row.try_get("", "live_nodes")?,
    })
}

/// A new instance's lease, given to `holder` (the live node with the fewest).
pub async fn assign(
    db: &DatabaseConnection,
    instance_id: &str,
    holder: &str,
    ttl_ms: i64,
) -> Result<Held, DbErr> {
    let sql = format!(
        "INSERT INTO instance_leases (instance_id, holder, epoch, expires_at)
         VALUES ($1, $2, 1, {NOW_MS} + $3)
         ON CONFLICT (instance_id) DO UPDATE SET holder = excluded.holder,
           epoch = instance_leases.epoch + 1, expires_at = excluded.expires_at
         RETURNING instance_id, epoch"
    );
    held_rows(
        db.query_all_raw(statement(
            &sql,
            vec![instance_id.into(), holder.into(), ttl_ms.into()],
        ))
        .await?,
    )?
    .pop()
    .ok_or_else(|| DbErr::Custom("the new lease was not returned".into()))
}

/// The live node with the fewest unexpired leases (this one on a tie).
pub async fn emptiest_node(
    db: &DatabaseConnection,
    me: &str,
    ttl_ms: i64,
) -> Result<Option<String>, DbErr> {
    let sql = format!(
        "SELECT n.node_id FROM cluster_nodes n
         WHERE n.heartbeat_at > {NOW_MS} - $2 AND NOT n.draining
         ORDER BY (SELECT count(*) FROM instance_leases l
                   WHERE l.holder = n.node_id AND l.expires_at > {NOW_MS}),
                  (n.node_id <> $1), n.node_id
         LIMIT 1"
    );
    match db
        .query_one_raw(statement(&sql, vec![me.into(), ttl_ms.into()]))
        .await?
    {
        Some(row) => Ok(Some(row.try_get("", "node_id")?)),
        None => Ok(None),
    }
}

/// The node holding an unexpired lease on the instance, if any.
pub async fn holder(db: &DatabaseConnection, instance_id: &str) -> Result<Option<Holder>, DbErr> {
    let sql = format!(
        "SELECT n.node_id, n.advertise_url FROM instance_leases l
         JOIN cluster_nodes n ON n.node_id = l.holder
         WHERE l.instance_id = $1 AND l.expires_at > {NOW_MS}"
    );
    match db
        .query_one_raw(statement(&sql, vec![instance_id.into()]))
        .await?
    {
        Some(row) => Ok(Some(Holder {
            node_id: row.try_get("", "node_id")?,
            advertise_url: row.try_get("", "advertise_url")?,
        })),
        None => Ok(None),
    }
}

/// Whether the instance has a lease row at all (a live instance always has
/// one; a deleted one has none).
pub async fn has_lease(db: &DatabaseConnection, instance_id: &str) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            "SELECT 1 AS found FROM instance_leases WHERE instance_id = $1",
            vec![instance_id.into()],
        ))
        .await?
        .is_some())
}

/// Gives up all the node's leases: expired at once, so that the other nodes
/// take them without waiting.
pub async fn release(db: &DatabaseConnection, node_id: &str) -> Result<u64, DbErr> {
    let sql = "UPDATE instance_leases SET holder = '', expires_at = 0 WHERE holder = $1";
    Ok(db
        .execute_raw(statement(sql, vec![node_id.into()]))
        .await?
        .rows_affected())
}

async fn execute(db: &DatabaseConnection, sql: &str, key: &str) -> Result<(), DbErr> {
    db.execute_raw(statement(sql, vec![key.into()]))
        .await
        .map(|_| ())
}

/// The node is handing its instances over and exiting.
pub async fn set_draining(db: &DatabaseConnection, node_id: &str) -> Result<(), DbErr> {
    let sql = "UPDATE cluster_nodes SET draining = TRUE WHERE node_id = $1";
    execute(db, sql, node_id).await
}

/// The node left the cluster cleanly (its leases are released).
pub async fn leave(db: &DatabaseConnection, node_id: &str) -> Result<(), DbErr> {
    execute(db, "DELETE FROM cluster_nodes WHERE node_id = $1", node_id).await
}

/// A deleted instance needs no holder.
pub async fn drop_lease(db: &DatabaseConnection, instance_id: &str) -> Result<(), DbErr> {
    let sql = "DELETE FROM instance_leases WHERE instance_id = $1";
    execute(db, sql, instance_id).await
}

/// Every registered node, live or not, by id.
pub async fn nodes(db: &DatabaseConnection, ttl_ms: i64) -> Result<Vec<Node>, DbErr> {
    let sql = format!(
        "SELECT n.node_id, n.advertise_url, n.version, n.heartbeat_at, n.draining,
           (SELECT count(*) FROM instance_leases l
             WHERE l.holder = n.node_id AND l.expires_at > {NOW_MS}) AS instances,
           (n.heartbeat_at > {NOW_MS} - $1 AND NOT n.draining) AS live
         FROM cluster_nodes n ORDER BY n.node_id"
    );
    db.query_all_raw(statement(&sql, vec![ttl_ms.into()]))
        .await?
        .into_iter()
        .map(|row| {
            Ok(Node {
                node_id: row.try_get("", "node_id")?,
                advertise_url: row.try_get("", "advertise_url")?,
                version: row.try_get("", "version")?,
                instances: row.try_get("", "instances")?,
                heartbeat_at: row.try_get("", "heartbeat_at")?,
                draining: row.try_get("", "draining")?,
                live: row.try_get("", "live")?,
            })
        })
        .collect()
}

/// Sends `payload` on `channel` to every node listening (PostgreSQL NOTIFY).
pub async fn notify(db: &DatabaseConnection, channel: &str, payload: &str) -> Result<(), DbErr> {
    db.execute_raw(statement(
        "SELECT pg_notify($1, $2)",
        vec![channel.into(), payload.into()],
    ))
    .await
    .map(|_| ())
}
