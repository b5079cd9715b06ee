//! The schema's version on PostgreSQL: which migrations the database has, checked before any
//! is applied, so a database of another program or one a newer claimdesk wrote is refused
//! with an error that says so, rather than written to. A database at an older version (a
//! prefix of this build's migrations) is brought up to date, as SQLite's file is; sqlx
//! holds an advisory lock while it migrates, so two processes opening a new database at
//! once migrate it once.

use sqlx::PgPool;
use sqlx::migrate::Migrator;

use crate::{Error, Result};

/// The PostgreSQL migrations, compiled in.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Checks the database's schema version and applies the migrations it lacks.
pub(super) async fn migrate(pool: &PgPool) -> Result<()> {
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(pool)
        .await?;
    if schema.is_none() {
        return Err(Error::Invalid(
            "the database has no schema to hold claimdesk's tables (its search_path names none \
             that exists): create it (CREATE SCHEMA) or connect with the default search_path"
                .into(),
        ));
    }
    let has_log: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                        WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    if has_log {
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(pool)
                .await?;
        if let Some(&(newest, _)) = applied.last()
            && newest > known
        {
            return Err(Error::SchemaTooNew {
                found: newest,
                known,
            });
        }
        if let Some(&(version, _)) = applied.iter().find(|(_, ok)| !ok) {
            return Err(Error::SchemaMismatch {
                version,
                detail: "a migration was started and did not finish".into(),
            });
        }
    } else {
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
        )
        .fetch_one(pool)
        .await?;
        if tables > 0 {
            return Err(Error::ForeignSchema { tables });
        }
    }
    MIGRATOR.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::VersionMismatch(version) => Error::SchemaMismatch {
            version,
            detail: "the migration applied there differs from this build's".into(),
        },
        sqlx::migrate::MigrateError::VersionMissing(found) => Error::SchemaTooNew { found, known },
        e => e.into(),
    })
}
