//! The database store must answer every operation exactly as the engine's own
//! SQLite store does: random sequences of operations run against both (on
//! SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL) and every answer is
//! compared, step by step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply;
mod apply_protocol;
mod atomic;
mod ops;
mod values;

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::wacore::store::traits::{Backend, DeviceStore};

use super::{DbStore, StoreConnections};

/// Every database the tests can reach: SQLite always, PostgreSQL when
/// `TEST_DATABASE_URL` names one (a fresh database is made for the run).
pub(super) async fn databases(dir: &std::path::Path) -> Vec<(&'static str, StoreConnections)> {
    let mut found = vec![("sqlite", super::test_connections(dir).await)];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        use migration::MigratorTrait;
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(&url).await.expect("PostgreSQL");
        let name = format!("wamux_store_{}", uuid::Uuid::now_v7().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("a fresh database");
        let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
        let pool = sea_orm::Database::connect(format!("{base}/{name}"))
            .await
            .expect("the fresh database");
        migration::Migrator::up(&pool, None)
            .await
            .expect("migrations");
        found.push(("postgres", StoreConnections::new(pool.clone(), pool)));
    }
    found
}

/// What every property test here runs on: its own runtime, a folder for the
/// reference files, the databases, and a number for each case's account.
struct Setup {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    databases: Vec<(&'static str, StoreConnections)>,
    next_case: AtomicI32,
}

impl Setup {
    fn reference_url(&self) -> String {
        self.dir
            .path()
            .join("reference.db")
            .to_string_lossy()
            .into_owned()
    }

    fn next_case(&self) -> i32 {
        self.next_case.fetch_add(1, Ordering::SeqCst)
    }

    /// A new account in the reference file, with its device: (its number, its store, the device).
    async fn reference_account(
        &self,
    ) -> (i32, Arc<dyn Backend>, whatsapp_rust::wacore::store::Device) {
        let account = self.next_case();
        let reference: Arc<dyn Backend> = Arc::new(
            SqliteStore::new_for_device(&self.reference_url(), account)
                .await
                .unwrap(),
        );
        reference.create().await.unwrap();
        let device = reference.load().await.unwrap().unwrap();
        (account, reference, device)
    }
}

/// Runs `test` on `cases` values of `strategy`, panicking with the smallest failing one.
fn check<S: Strategy>(
    cases: u32,
    strategy: &S,
    test: impl Fn(&Setup, S::Value) -> Result<(), TestCaseError>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let databases = runtime.block_on(databases(dir.path()));
    let setup = Setup {
        runtime,
        dir,
        databases,
        next_case: AtomicI32::new(1),
    };
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = runner.run(strategy, |value| test(&setup, value)) {
        panic!("{failure}");
    }
}

#[test]
fn the_database_store_answers_as_the_engines_own_store() {
    check(
        128,
        &prop::collection::vec(ops::op(), 1..60),
        |setup, case| {
            setup.runtime.block_on(async {
                // One account per case in the reference file, one instance per case in ours.
                let (account, reference, device) = setup.reference_account().await;
                let mut ours: Vec<(&str, Arc<dyn Backend>)> = Vec::new();
                for (name, connections) in &setup.databases {
                    let store = DbStore::new(&format!("case-{account}"), connections.clone());
                    store.save(&device).await.unwrap();
                    ours.push((name, Arc::new(store)));
                }
                for (step, op) in case.iter().enumerate() {
                    let expected = apply::apply(&reference, op, step as i64).await;
                    for (name, store) in &ours {
                        let answered = apply::apply(store, op, step as i64).await;
                        prop_assert_eq!(
                            &answered,
                            &expected,
                            "{} answered step {} ({:?}) differently",
                            name,
                            step,
                            op
                        );
                    }
                }
                Ok(())
            })
        },
    );
}

/// A session file imported into the database reads exactly as the file did,
/// every table of it (written by random operations through the engine's store).
#[test]
fn an_imported_session_file_reads_as_the_file_did() {
    check(
        24,
        &prop::collection::vec(ops::op(), 1..80),
        |setup, case| {
            setup.runtime.block_on(async {
                let number = setup.next_case();
                let file = setup.dir.path().join(format!("session-{number}.db"));
                let engine_file: Arc<dyn Backend> =
                    Arc::new(SqliteStore::new(&file.to_string_lossy()).await.unwrap());
                engine_file.create().await.unwrap();
                for (step, op) in case.iter().enumerate() {
                    apply::apply(&engine_file, op, step as i64).await;
                }
                for (name, connections) in &setup.databases {
                    let instance = format!("imported-{number}");
                    let imported = super::import_file(connections, &instance, &file).await;
                    prop_assert!(
                        matches!(imported, Ok(super::Imported::Session { .. })),
                        "{}: {:?}",
                        name,
                        imported
                    );
                    let ours: Arc<dyn Backend> =
                        Arc::new(DbStore::new(&instance, connections.clone()));
                    for read in ops::every_read() {
                        let expected = apply::apply(&engine_file, &read, 0).await;
                        let answered = apply::apply(&ours, &read, 0).await;
                        prop_assert_eq!(
                            &answered,
                            &expected,
                            "{} read {:?} differently after the import",
                            name,
                            read
                        );
                    }
                }
                Ok(())
            })
        },
    );
}

/// Instances writing at once in `instances_writing_at_once_answer_as_each_alone`.
const TOGETHER: usize = 8;

/// Instances writing at once share transactions and statements (the writer
/// merges their rows); each must still answer exactly as if it were alone.
#[test]
fn instances_writing_at_once_answer_as_each_alone() {
    check(
        16,
        &prop::collection::vec(prop::collection::vec(ops::op(), 1..40), TOGETHER),
        |setup, cases| {
            setup.runtime.block_on(async {
                // Each instance's answers alone, on its own account of the reference.
                let mut expected = Vec::new();
                let mut devices = Vec::new();
                for case in &cases {
                    let (account, reference, device) = setup.reference_account().await;
                    devices.push((account, device));
                    let mut answers = Vec::new();
                    for (step, op) in case.iter().enumerate() {
                        answers.push(apply::apply(&reference, op, step as i64).await);
                    }
                    expected.push(answers);
                }
                for (name, connections) in &setup.databases {
                    let runs = cases.iter().zip(&devices).map(|(case, (account, device))| {
                        let store: Arc<dyn Backend> = Arc::new(DbStore::new(
                            &format!("together-{account}"),
                            connections.clone(),
                        ));
                        let (case, device) = (case.clone(), device.clone());
                        tokio::spawn(async move {
                            store.save(&device).await.unwrap();
                            let mut answers = Vec::new();
                            for (step, op) in case.iter().enumerate() {
                                answers.push(apply::apply(&store, op, step as i64).await);
                            }
                            answers
                        })
                    });
                    let runs: Vec<_> = runs.collect();
                    for (instance, (run, expected)) in runs.into_iter().zip(&expected).enumerate() {
                        let answered = run.await.unwrap();
                        prop_assert_eq!(
                            &answered,
                            expected,
                            "{}: instance {} of {} at once",
                            name,
                            instance,
                            TOGETHER
                        );
                    }
                }
                Ok(())
            })
        },
    );
}
