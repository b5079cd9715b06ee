//! Moving a desk: every record of a SQLite store copied into an empty PostgreSQL database in
//! one transaction ([`PgStore::copy_from`]).
//!
//! The two schemas are table for table and column for column the same (the differences, all
//! of representation, are listed at the top of `migrations/postgres/0001_init.sql`), so the
//! copy is written once over the tables rather than once per record type: each row is read
//! from SQLite and bound by the type the PostgreSQL column has. What the stores derive from
//! the records (the queue's summary and facets, the figures, the narratives' sources, the
//! search index, the item counter) is not copied: PostgreSQL's triggers and the search index
//! writer derive it again as the rows arrive, the same way they do for new records. A table
//! this module does not know on either side stops the copy, so a new migration cannot leave
//! a table behind unnoticed.

use futures_util::TryStreamExt;
use serde_json::json;
use sqlx::{PgConnection, QueryBuilder, Row, SqliteConnection};

use super::PgStore;
use super::write::{Change, Rights};
use crate::sqlite::monitor::NARRATIVE_KEY_LEVELS;
use crate::{Error, Result, SqliteStore};
use claimdesk_core::Actor;

/// What [`PgStore::copy_from`] copied: the rows of each table, in the order copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// `(table, rows)` for every table of records.
    pub tables: Vec<(String, u64)>,
    /// The audit event that records the move (its sequence number in the copied chain).
    pub audit_seq: i64,
}

impl CopyReport {
    /// The rows copied into `table` (0 when it is not one of the copied tables).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// The tables of records, in an order where every foreign key points at a table already
/// copied (the two links back, a fact-check's case and its canonical entry, are set after
/// the cases: see [`LINKED_LATER`]).
const RECORDS: &[&str] = &[
    "imports",
    "users",
    "items",
    "factchecks",
    "embeddings",
    "matches",
    "sessions",
    "api_tokens",
    "cases",
    "case_transitions",
    "case_notes",
    "case_evidence",
    "audit_events",
    "audit_checkpoints",
    "sources",
    "narratives",
    "narrative_items",
    "narrative_bursts",
    "narrative_keys",
    "alerts",
    "alert_decisions",
    "webhooks",
    "webhook_outbox",
    "webhook_deliveries",
    "item_check_worthiness",
    "pending_items",
    "digest_deliveries",
    "images",
    "item_images",
    "item_image_neighbours",
    "factcheck_images",
];

/// Tables derived from the records, rebuilt on PostgreSQL as the records arrive (triggers,
/// the search index writer) and so not copied. `counters` is derived too, except the two
/// sequence heads set at the end ([`SEQUENCE_COUNTERS`]).
const DERIVED: &[&str] = &[
    "counters",
    "item_queue",
    "item_facets",
    "stats_hourly",
    "stats_rollup",
    "narrative_sources",
    "items_search",
];

/// Counters that are not a sum of rows: the fact-check revision the index follows and the
/// audit chain's last sequence number.
const SEQUENCE_COUNTERS: &[&str] = &["factcheck_revision", "audit_seq"];

/// Columns written empty at first because they point at rows copied later: `(table,
/// column)`. The links are set from SQLite's values once their targets are in.
const LINKED_LATER: &[(&str, &str)] = &[("factchecks", "alias_of"), ("factchecks", "case_id")];

/// A count that starts at 0 because the trigger on `narrative_items` counts it again as the
/// narratives' items arrive.
const COUNTED_AGAIN: (&str, &str) = ("narratives", "source_count");

/// Rows per `INSERT` (PostgreSQL takes at most 65,535 parameters per statement).
const PARAMETERS_PER_INSERT: usize = 30_000;

/// A PostgreSQL column's type as the copy binds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Float,
    Text,
    Bytes,
}

/// One value read from SQLite, typed for its PostgreSQL column.
#[derive(Debug, Clone)]
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Float(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl PgStore {
    /// Copies every record of `from` into this store, which must hold no desk yet, in one
    /// transaction: fact-checks and their aliases, items, matches, check-worthiness scores,
    /// cases with their history and verdicts, users, sessions, API tokens, sources,
    /// narratives, alerts and their decisions, webhooks and their delivery log, digests and
    /// the audit chain (unchanged, so it verifies as it did, with one event more at its end:
    /// the move itself). Reads `from` in one snapshot, so a desk that keeps running while it
    /// is copied is copied as it was at one moment.
    pub async fn copy_from(&self, from: &SqliteStore) -> Result<CopyReport> {
        let mut source = from.pool().begin().await?;
        let mut change = Change::begin(self, Actor::Cli, Rights::Anyone).await?;
        check_tables(&mut source, &mut change).await?;
        refuse_unless_empty(&mut change).await?;

        let mut tables = Vec::new();
        for table in RECORDS {
            let rows = copy_table(&mut source, &mut change, table).await?;
            if *table == "cases" {
                link_factchecks(&mut source, &mut change).await?;
            }
            tables.push((table.to_string(), rows));
        }
        index_items(&mut source, &mut change).await?;
        for name in SEQUENCE_COUNTERS {
            let value: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = ?")
                .bind(name)
                .fetch_one(&mut *source)
                .await?;
            sqlx::query("UPDATE counters SET value = $1 WHERE name = $2")
                .bind(value)
                .bind(name)
                .execute(&mut *change)
                .await?;
        }
        restart_identities(&mut change).await?;
        check_counts(&mut source, &mut change, &tables).await?;

        let after = json!({
            "from": "sqlite",
            "tables": tables.iter().map(|(t, n)| json!([t, n])).collect::<Vec<_>>(),
        });
        let audit_seq = change
            .audit("store.migrate", "store", None, Some(after))
            .await?;
        change.commit().await?;
        source.rollback().await?;
        Ok(CopyReport { tables, audit_seq })
    }
}

/// The tables of each side, each known to the copy and with the same columns on both sides.
async fn check_tables(source: &mut SqliteConnection, target: &mut PgConnection) -> Result<()> {
    // The levels of SQLite's narrative keys above the last are read with it (see
    // `source_select`).
    let known = |t: &str| {
        RECORDS.contains(&t)
            || DERIVED.contains(&t)
            || NARRATIVE_KEY_LEVELS.iter().any(|(level, _)| *level == t)
    };
    let sqlite: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'
           AND name NOT LIKE 'items_search_%'",
    )
    .fetch_all(&mut *source)
    .await?;
    let postgres: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(&mut *target)
    .await?;
    for (side, tables) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        if let Some(t) = tables.iter().find(|t| !known(t)) {
            return Err(Error::Invalid(format!(
                "the {side} store has a table `{t}` that `migrate` does not know how to copy; \
                 this claimdesk cannot move the desk"
            )));
        }
    }
    for table in RECORDS {
        let mut a = sqlite_columns(source, table).await?;
        let mut b: Vec<String> = pg_columns(target, table)
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        a.sort();
        b.sort();
        if a != b {
            return Err(Error::Invalid(format!(
                "table `{table}` has columns {a:?} on SQLite and {b:?} on PostgreSQL; \
                 both stores must be at this claimdesk's schema"
            )));
        }
    }
    Ok(())
}

/// Refuses a database that already holds any record.
async fn refuse_unless_empty(target: &mut PgConnection) -> Result<()> {
    let mut held = Vec::new();
    for table in RECORDS {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&mut *target)
                .await?;
        if n > 0 {
            held.push(format!("{table}: {n}"));
        }
    }
    if held.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "the target database already holds a desk ({}); `migrate` copies into an empty \
         database only, so nothing was copied",
        held.join(", ")
    )))
}

/// A SQLite table's column names.
async fn sqlite_columns(source: &mut SqliteConnection, table: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut *source)
        .await?)
}

/// A PostgreSQL table's columns with the kind each is bound as.
async fn pg_columns(target: &mut PgConnection, table: &str) -> Result<Vec<(String, Kind)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    rows.into_iter()
        .map(|(name, ty)| {
            let kind = match ty.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Int,
                "boolean" => Kind::Bool,
                "double precision" | "real" => Kind::Float,
                "text" | "character varying" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => {
                    return Err(Error::Corrupt(format!(
                        "column {table}.{name} is of type {other}, which `migrate` does not copy"
                    )));
                }
            };
            Ok((name, kind))
        })
        .collect()
}

/// Copies one table's rows, streamed from SQLite and inserted in batches; returns how many.
async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &str,
) -> Result<u64> {
    let columns = pg_columns(target, table).await?;
    let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let select = source_select(table, &names);
    let per_insert = (PARAMETERS_PER_INSERT / columns.len().max(1)).max(1);
    let mut copied = 0u64;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_insert);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *source);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (name, kind)) in columns.iter().enumerate() {
            values.push(if LINKED_LATER.contains(&(table, name.as_str())) {
                Value::Int(None)
            } else if (table, name.as_str()) == COUNTED_AGAIN {
                Value::Int(Some(0))
            } else {
                read_value(&row, i, *kind)?
            });
        }
        batch.push(values);
        if batch.len() == per_insert {
            insert(target, table, &names, &mut batch).await?;
        }
        copied += 1;
    }
    drop(rows);
    insert(target, table, &names, &mut batch).await?;
    Ok(copied)
}

/// The statement that reads `table`'s `columns` from SQLite: its rows, and for
/// `narrative_keys` those of every level SQLite files keys in (migration 0027), each pair
/// once. PostgreSQL keeps one table, and reading a key takes its newest narratives there
/// too, so a key's older rows that SQLite had not dropped yet change nothing.
fn source_select(table: &str, columns: &[&str]) -> String {
    let columns = columns.join(", ");
    if table == "narrative_keys" {
        NARRATIVE_KEY_LEVELS
            .iter()
            .map(|(level, _)| format!("SELECT {columns} FROM {level}"))
            .collect::<Vec<_>>()
            .join(" UNION ")
    } else {
        format!("SELECT {columns} FROM {table}")
    }
}

/// Column `i` of a SQLite row as `kind`.
fn read_value(row: &sqlx::sqlite::SqliteRow, i: usize, kind: Kind) -> Result<Value> {
    Ok(match kind {
        Kind::Int => Value::Int(row.try_get_unchecked(i)?),
        Kind::Bool => Value::Bool(row.try_get_unchecked::<Option<i64>, _>(i)?.map(|v| v != 0)),
        Kind::Float => Value::Float(row.try_get_unchecked(i)?),
        Kind::Text => Value::Text(row.try_get_unchecked(i)?),
        Kind::Bytes => Value::Bytes(row.try_get_unchecked(i)?),
    })
}

/// Inserts and empties `batch`.
async fn insert(
    target: &mut PgConnection,
    table: &str,
    names: &[&str],
    batch: &mut Vec<Vec<Value>>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::new(format!("INSERT INTO {table} ({}) ", names.join(", ")));
    q.push_values(batch.drain(..), |mut b, row| {
        for value in row {
            match value {
                Value::Int(v) => b.push_bind(v),
                Value::Bool(v) => b.push_bind(v),
                Value::Float(v) => b.push_bind(v),
                Value::Text(v) => b.push_bind(v),
                Value::Bytes(v) => b.push_bind(v),
            };
        }
    });
    q.build().execute(&mut *target).await?;
    Ok(())
}

/// Sets each fact-check's case and canonical entry once both tables are in.
async fn link_factchecks(source: &mut SqliteConnection, target: &mut PgConnection) -> Result<()> {
    let links: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT id, alias_of, case_id FROM factchecks
         WHERE alias_of IS NOT NULL OR case_id IS NOT NULL",
    )
    .fetch_all(&mut *source)
    .await?;
    for chunk in links.chunks(5_000) {
        let rows: Vec<serde_json::Value> = chunk.iter().map(|l| json!([l.0, l.1, l.2])).collect();
        sqlx::query(
            "UPDATE factchecks f
             SET alias_of = (r ->> 1)::bigint, case_id = (r ->> 2)::bigint
             FROM json_array_elements($1::json) AS r
             WHERE f.id = (r ->> 0)::bigint",
        )
        .bind(super::json_rows(rows))
        .execute(&mut *target)
        .await?;
    }
    Ok(())
}

/// Writes the queue search's rows for every item, as storing them would.
async fn index_items(source: &mut SqliteConnection, target: &mut PgConnection) -> Result<()> {
    let mut batch: Vec<(i64, String)> = Vec::new();
    let mut rows = sqlx::query_as::<_, (i64, String)>("SELECT id, text FROM items ORDER BY id")
        .fetch(&mut *source);
    while let Some(row) = rows.try_next().await? {
        batch.push(row);
        if batch.len() == 2_000 {
            let items: Vec<(i64, &str)> = batch.iter().map(|(i, t)| (*i, t.as_str())).collect();
            super::items::index_items(target, &items).await?;
            batch.clear();
        }
    }
    let items: Vec<(i64, &str)> = batch.iter().map(|(i, t)| (*i, t.as_str())).collect();
    super::items::index_items(target, &items).await
}

/// Moves each identity column's sequence past the highest id copied, so new rows do not
/// collide with copied ones.
async fn restart_identities(target: &mut PgConnection) -> Result<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'",
    )
    .fetch_all(&mut *target)
    .await?;
    for table in tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id))
             FROM {table} HAVING max(id) IS NOT NULL"
        )))
        .execute(&mut *target)
        .await?;
    }
    Ok(())
}

/// Checks that every table holds as many rows as SQLite's, and that what PostgreSQL derived
/// (the item counter, the narratives' source counts) agrees with what SQLite holds.
async fn check_counts(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    tables: &[(String, u64)],
) -> Result<()> {
    for (table, copied) in tables {
        let there: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&mut *target)
                .await?;
        if there as u64 != *copied {
            return Err(Error::Corrupt(format!(
                "`{table}`: {copied} rows read but {there} written"
            )));
        }
    }
    for check in [
        "SELECT value FROM counters WHERE name = 'items'",
        "SELECT CAST(coalesce(sum(source_count), 0) AS BIGINT) FROM narratives",
        "SELECT count(*) FROM narrative_sources",
        "SELECT count(*) FROM item_queue",
    ] {
        let a: i64 = sqlx::query_scalar(check).fetch_one(&mut *source).await?;
        let b: i64 = sqlx::query_scalar(check).fetch_one(&mut *target).await?;
        if a != b {
            return Err(Error::Corrupt(format!(
                "derived figures differ after the copy (`{check}`: {a} on SQLite, {b} on \
                 PostgreSQL); nothing was copied"
            )));
        }
    }
    Ok(())
}
