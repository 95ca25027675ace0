//! Which store an attempt's client runs on: the instance's rows in wamux's
//! database (`session_store = "database"`) or its own SQLite file (`"files"`).
//! The store is chosen per instance by where its session is: a file from
//! before the database store is imported once (then removed), or kept in use
//! when it cannot be; in `files` mode an instance whose session is already in
//! the database stays there rather than being logged out by the switch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::wacore::store::traits::Backend;

use crate::config::SessionStore;
use crate::db::engine_store::{self, DbStore, Imported, StoreConnections};
use crate::whatsapp::{EventSink, SessionMove, WaError, WaEvent};

pub struct SessionPlace {
    pub mode: SessionStore,
    pub db: StoreConnections,
    /// Where session files are (`files` mode) or were (before the database store).
    pub files: PathBuf,
    /// The deletion flag of each instance's database stores, shared by all of its
    /// attempts: a client of an earlier attempt may still be shutting down.
    live: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Each instance's open session file (`files` mode), shared by all of its
    /// attempts. The engine's file store keeps its connections in an r2d2 pool
    /// whose reaper job outlives the pool (r2d2 0.8 schedules it for good on a
    /// thread pool every store shares): one store per instance for the life of
    /// the process, rather than one per attempt, leaves one such job per
    /// instance instead of one per failed connect.
    files_open: Mutex<HashMap<String, Arc<SqliteStore>>>,
}

impl SessionPlace {
    pub fn new(mode: SessionStore, db: StoreConnections, files: PathBuf) -> Self {
        Self {
            mode,
            db,
            files,
            live: Mutex::default(),
            files_open: Mutex::default(),
        }
    }

    /// The instance's session file.
    pub fn file_of(&self, instance_id: &str) -> PathBuf {
        self.files.join(format!("{instance_id}.db"))
    }

    /// The store the instance's next client runs on.
    pub async fn open(
        &self,
        instance_id: &str,
        sink: &EventSink,
    ) -> Result<Arc<dyn Backend>, String> {
        let file = self.file_of(instance_id);
        let file_exists = tokio::fs::try_exists(&file).await.unwrap_or(false);
        let in_database = match self.mode {
            SessionStore::Database if file_exists => match self.import(instance_id, &file).await {
                Ok(moved) => {
                    if let Some(moved) = moved {
                        sink.emit(WaEvent::SessionMoved(moved));
                    }
                    true
                }
                Err(reason) => {
                    tracing::warn!(
                        instance_id,
                        reason,
                        "session file not imported; the instance keeps using it"
                    );
                    sink.emit(WaEvent::SessionMoved(SessionMove::FileKept { reason }));
                    false
                }
            },
            SessionStore::Database => true,
            SessionStore::Files if file_exists => false,
            SessionStore::Files => engine_store::has_session(&self.db, instance_id)
                .await
                .map_err(|err| format!("looking for the session in the database: {err}"))?,
        };
        if in_database {
            let deleted = self
                .live
                .lock()
                .map(|mut live| live.entry(instance_id.to_owned()).or_default().clone())
                .unwrap_or_default();
            let store = DbStore::sharing(instance_id, self.db.clone(), deleted);
            return Ok(Arc::new(store));
        }
        if let Some(open) = self.open_file(instance_id) {
            return Ok(open);
        }
        if let Some(parent) = file.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|err| format!("creating the session store folder: {err}"))?;
        }
        let store = Arc::new(
            SqliteStore::new(&file.to_string_lossy())
                .await
                .map_err(|err| format!("opening the session store: {err}"))?,
        );
        let mut open = self
            .files_open
            .lock()
            .map_err(|_| "session files poisoned")?;
        // Two attempts of one instance never open at once; keep the first anyway.
        Ok(open.entry(instance_id.to_owned()).or_insert(store).clone())
    }

    /// The instance's session file, when an earlier attempt opened it.
    fn open_file(&self, instance_id: &str) -> Option<Arc<dyn Backend>> {
        let open = self.files_open.lock().ok()?;
        let store: Arc<dyn Backend> = open.get(instance_id)?.clone();
        Some(store)
    }

    /// Copies the file into the database and removes it; `None` when it held no session.
    async fn import(&self, instance_id: &str, file: &Path) -> Result<Option<SessionMove>, String> {
        let imported = engine_store::import_file(&self.db, instance_id, file)
            .await
            .map_err(|err| err.to_string())?;
        remove_file(file)
            .await
            .map_err(|err| format!("session imported, but its file stays: {err}"))?;
        Ok(match imported {
            Imported::Session { rows } => {
                tracing::info!(instance_id, rows, "session file imported into the database");
                Some(SessionMove::Imported { rows })
            }
            Imported::Empty => None,
        })
    }

    /// Deletes the instance's session wherever it is: a client still shutting
    /// down writes nothing back afterwards.
    pub async fn delete(&self, instance_id: &str) -> Result<(), WaError> {
        let flag = self
            .live
            .lock()
            .ok()
            .and_then(|mut live| live.remove(instance_id));
        if let Some(flag) = flag {
            flag.store(true, Ordering::Release);
        }
        if let Ok(mut open) = self.files_open.lock() {
            open.remove(instance_id);
        }
        engine_store::delete_session(&self.db, instance_id)
            .await
            .map_err(|err| WaError::Session(format!("deleting the session: {err}")))?;
        remove_file(&self.file_of(instance_id))
            .await
            .map_err(|err| WaError::Session(format!("deleting the session store: {err}")))
    }
}

/// The file and SQLite's companions of it; absent ones are fine.
async fn remove_file(file: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut path = file.to_owned().into_os_string();
        path.push(suffix);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix::Actor;

    use super::*;
    use crate::whatsapp::engine::forwarder_tests::Collect;

    #[actix_web::test]
    async fn a_session_file_is_opened_once_for_all_attempts_until_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let place = SessionPlace::new(
            SessionStore::Files,
            engine_store::test_connections(dir.path()).await,
            dir.path().join("wa"),
        );
        let sink = EventSink::new(Collect(Default::default()).start().recipient(), 1);
        let first = place.open("instance-1", &sink).await.unwrap();
        let again = place.open("instance-1", &sink).await.unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "one store (one pool) per instance"
        );
        let other = place.open("instance-2", &sink).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &other));

        place.delete("instance-1").await.unwrap();
        assert!(!place.file_of("instance-1").exists());
        let fresh = place.open("instance-1", &sink).await.unwrap();
        assert!(
            !Arc::ptr_eq(&first, &fresh),
            "a deleted session's store is not reused"
        );
    }
}
