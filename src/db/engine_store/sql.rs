//! The few statement shapes every session table uses, built once with
//! sea-query so the same code runs on SQLite and PostgreSQL: a row is always
//! found by its instance plus its own key, and a batch is one statement.

use sea_orm::sea_query::{
    Alias, DeleteStatement, Expr, ExprTrait, OnConflict, Query, SelectStatement, SimpleExpr, Value,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};
use whatsapp_rust::wacore::store::error::{Result, StoreError};

pub const INSTANCE: &str = "instance_id";

/// Bound values per statement, under SQLite's (32,766) and PostgreSQL's (65,535) limits.
const MAX_PARAMS: usize = 30_000;

pub fn db_error(err: DbErr) -> StoreError {
    StoreError::Database(Box::new(err))
}

pub fn encoding_error(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Serialization(Box::new(err))
}

pub fn col(name: &'static str) -> Alias {
    Alias::new(name)
}

/// `instance_id = ? AND key1 = ? AND …`.
pub fn row_filter(instance: &str, keys: &[(&'static str, Value)]) -> SimpleExpr {
    keys.iter().fold(
        Expr::col(col(INSTANCE)).eq(instance.to_owned()),
        |filter, (name, value)| filter.and(Expr::col(col(name)).eq(value.clone())),
    )
}

pub fn select(
    table: &'static str,
    columns: &[&'static str],
    filter: SimpleExpr,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .from(col(table))
        .columns(columns.iter().map(|c| col(c)))
        .and_where(filter);
    select
}

pub fn delete(table: &'static str, filter: SimpleExpr) -> DeleteStatement {
    let mut delete = Query::delete();
    delete.from_table(col(table)).and_where(filter);
    delete
}

/// How a batch of rows lands on an existing row with the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExisting {
    /// The new row's values replace the old ones.
    Replace,
    /// Each listed column becomes the given SQL expression (of `excluded.*` and the table's own).
    Merge(&'static [(&'static str, &'static str)]),
    /// As `Merge`, only where the SQL condition holds; otherwise the old row stays.
    MergeIf(&'static [(&'static str, &'static str)], &'static str),
}

/// One table's shape for inserts: its key columns (after the instance) and value columns.
pub struct Shape {
    pub table: &'static str,
    pub key: &'static [&'static str],
    pub values: &'static [&'static str],
}

impl Shape {
    /// Inserts `rows` (key values then value values, without the instance) in
    /// as few statements as the parameter limit allows: one for any batch the
    /// engine writes.
    pub async fn upsert(
        &self,
        db: &impl ConnectionTrait,
        instance: &str,
        rows: Vec<Vec<Value>>,
        on_existing: OnExisting,
    ) -> Result<()> {
        let backend = db.get_database_backend();
        for statement in self.statements(backend, instance, rows, on_existing)? {
            db.execute_raw(statement).await.map_err(db_error)?;
        }
        Ok(())
    }

    /// The statements of `upsert`, to run elsewhere (the session writer).
    pub fn statements(
        &self,
        backend: DbBackend,
        instance: &str,
        rows: Vec<Vec<Value>>,
        on_existing: OnExisting,
    ) -> Result<Vec<Statement>> {
        let rows = rows
            .into_iter()
            .map(|row| with_instance(instance, row))
            .collect();
        self.statements_of(backend, rows, on_existing)
    }

    /// As `statements`, for rows that start with their instance (of any instances).
    pub fn statements_of(
        &self,
        backend: DbBackend,
        rows: Vec<Vec<Value>>,
        on_existing: OnExisting,
    ) -> Result<Vec<Statement>> {
        let mut statements = Vec::new();
        let rows = last_of_each_key(rows, 1 + self.key.len());
        let width = 1 + self.key.len() + self.values.len();
        let most = MAX_PARAMS / width;
        let mut rows = rows.into_iter().peekable();
        let mut left = rows.len();
        while rows.peek().is_some() {
            let take = statement_rows(left, most);
            left -= take;
            let mut insert = Query::insert();
            insert.into_table(col(self.table)).columns(
                std::iter::once(INSTANCE)
                    .chain(self.key.iter().copied())
                    .chain(self.values.iter().copied())
                    .map(col),
            );
            for row in rows.by_ref().take(take) {
                let values = row.into_iter().map(SimpleExpr::from);
                insert
                    .values(values)
                    .map_err(|err| StoreError::Validation(err.to_string()))?;
            }
            let mut conflict = OnConflict::columns(
                std::iter::once(INSTANCE)
                    .chain(self.key.iter().copied())
                    .map(col),
            );
            match &on_existing {
                OnExisting::Replace if self.values.is_empty() => conflict.do_nothing(),
                OnExisting::Replace => {
                    conflict.update_columns(self.values.iter().copied().map(col))
                }
                OnExisting::Merge(merges) => conflict.values(
                    merges
                        .iter()
                        .map(|(name, sql)| (col(name), Expr::cust(*sql))),
                ),
                OnExisting::MergeIf(merges, condition) => conflict
                    .values(
                        merges
                            .iter()
                            .map(|(name, sql)| (col(name), Expr::cust(*sql))),
                    )
                    .action_and_where(Expr::cust(*condition)),
            };
            insert.on_conflict(conflict);
            statements.push(backend.build(&insert));
        }
        Ok(statements)
    }
}

/// Rows in the next statement: a power of two, so a table's inserts come in a
/// handful of shapes whose prepared statements the connection keeps (PostgreSQL
/// would otherwise parse and plan a new statement for every batch size).
fn statement_rows(left: usize, most: usize) -> usize {
    let cap: usize = if most <= 1 { 1 } else { 1 << most.ilog2() };
    let fits: usize = if left <= 1 { 1 } else { 1 << left.ilog2() };
    Ord::min(fits, cap)
}

/// A row as stored: its instance first.
pub fn with_instance(instance: &str, row: Vec<Value>) -> Vec<Value> {
    let mut stored = Vec::with_capacity(row.len() + 1);
    stored.push(Value::from(instance.to_owned()));
    stored.extend(row);
    stored
}

/// One row per key, the batch's last: SQLite applies a repeated key in order
/// (the last wins), PostgreSQL refuses a statement that updates a row twice.
fn last_of_each_key(rows: Vec<Vec<Value>>, key_len: usize) -> Vec<Vec<Value>> {
    if rows.len() < 2 {
        return rows;
    }
    let mut position_of = std::collections::HashMap::with_capacity(rows.len());
    let mut unique: Vec<Option<Vec<Value>>> = Vec::with_capacity(rows.len());
    for row in rows {
        let key = format!("{:?}", &row[..key_len.min(row.len())]);
        match position_of.get(&key) {
            Some(&at) => unique[at] = Some(row),
            None => {
                position_of.insert(key, unique.len());
                unique.push(Some(row));
            }
        }
    }
    unique.into_iter().flatten().collect()
}

pub async fn one(
    db: &impl ConnectionTrait,
    select: &impl sea_orm::StatementBuilder,
) -> Result<Option<QueryResult>> {
    db.query_one(select).await.map_err(db_error)
}

pub async fn all(db: &impl ConnectionTrait, select: &SelectStatement) -> Result<Vec<QueryResult>> {
    db.query_all(select).await.map_err(db_error)
}

pub fn get<T: sea_orm::TryGetable>(row: &QueryResult, index: usize) -> Result<T> {
    row.try_get_by_index(index).map_err(db_error)
}

/// `SELECT count(*)`-free existence check.
pub fn exists(table: &'static str, filter: SimpleExpr) -> SelectStatement {
    let mut select = Query::select();
    select
        .from(col(table))
        .expr(Expr::val(1))
        .and_where(filter)
        .limit(1);
    select
}

/// Ids per `IN (…)` list.
pub const IDS_PER_STATEMENT: usize = 1_000;
