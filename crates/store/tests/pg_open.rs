//! PostgreSQL's own cases: what opening a database that cannot be used says. Each is a
//! typed error that names what was wrong and what to do, never a panic.

use claimdesk_store::{AnyStore, Error, PgStore};
use sqlx::Connection;

use crate::{pg_schema, test_database_url};

#[tokio::test]
async fn an_unreachable_server_is_said_with_what_to_check() {
    // Port 1 on the loopback: nothing listens there.
    let e = PgStore::open("postgres://claimdesk:secret@127.0.0.1:1/claimdesk")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unreachable { .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(
        message.contains("check that PostgreSQL is running"),
        "{message}"
    );
    // The password is never shown.
    assert!(!message.contains("secret"), "{message}");
    assert!(!e.is_user_error());
}

#[tokio::test]
async fn a_url_of_no_known_database_is_refused() {
    let e = AnyStore::open("mysql://localhost/desk").await.unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("postgres://"), "{e}");
}

#[tokio::test]
async fn a_wrong_password_is_said_with_what_to_check() {
    let Some(url) = test_database_url() else {
        return;
    };
    // postgres://USER:PASSWORD@HOST... with another password, then another database.
    let (scheme, rest) = url.split_once("://").unwrap();
    let (credentials, place) = rest.rsplit_once('@').unwrap();
    let user = credentials.split(':').next().unwrap();
    let wrong = format!("{scheme}://{user}:not-the-password@{place}");
    let e = PgStore::open(&wrong).await.unwrap_err();
    assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
    assert!(
        e.to_string().contains("check the user name, the password"),
        "{e}"
    );
    assert!(!e.to_string().contains("not-the-password"), "{e}");
    let (server, _) = url.rsplit_once('/').unwrap();
    let e = PgStore::open(&format!("{server}/no_such_database"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
}

/// Runs `sql` in `schema` of the database at `url`.
async fn run((url, schema): &(String, String), sql: &str) {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let sql = format!("SET search_path = {schema}; {sql}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
}

/// Opens the store in `schema` of the database at `url`.
async fn open((url, schema): &(String, String)) -> claimdesk_store::Result<PgStore> {
    PgStore::open_schema(url, schema).await
}

#[tokio::test]
async fn a_schema_from_a_newer_claimdesk_is_refused_untouched() {
    let Some(db) = pg_schema().await else {
        return;
    };
    open(&db).await.unwrap();
    run(
        &db,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', true, '\\x00', 0)",
    )
    .await;
    let e = open(&db).await.unwrap_err();
    assert!(
        matches!(e, Error::SchemaTooNew { found: 9999, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("upgrade claimdesk"), "{e}");
}

#[tokio::test]
async fn a_schema_that_differs_or_did_not_finish_migrating_is_refused() {
    let Some(db) = pg_schema().await else {
        return;
    };
    open(&db).await.unwrap();
    // An older or edited copy of migration 1 (its checksum differs).
    run(&db, "UPDATE _sqlx_migrations SET checksum = '\\x00'").await;
    let e = open(&db).await.unwrap_err();
    assert!(
        matches!(e, Error::SchemaMismatch { version: 1, .. }),
        "{e:?}"
    );
    // A migration that started and failed.
    run(&db, "UPDATE _sqlx_migrations SET success = false").await;
    let e = open(&db).await.unwrap_err();
    assert!(
        matches!(e, Error::SchemaMismatch { version: 1, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("did not finish"), "{e}");
}

#[tokio::test]
async fn a_database_of_another_program_is_refused_untouched() {
    let Some(db) = pg_schema().await else {
        return;
    };
    run(&db, "CREATE TABLE orders (id bigint)").await;
    let e = open(&db).await.unwrap_err();
    assert!(matches!(e, Error::ForeignSchema { tables: 1 }), "{e:?}");
    assert!(e.to_string().contains("empty database"), "{e}");
}

#[tokio::test]
async fn opening_twice_migrates_once_and_keeps_the_data() {
    let Some(db) = pg_schema().await else {
        return;
    };
    let s: AnyStore = open(&db).await.unwrap().into();
    assert_eq!(s.backend(), "postgres");
    use claimdesk_store::prelude::*;
    s.save_fact_checks(&[crate::fc("1", "a claim", "k")], crate::source())
        .await
        .unwrap();
    let again = open(&db).await.unwrap();
    assert_eq!(again.fact_checks().await.unwrap().len(), 1);
    assert!(again.verify_audit().await.unwrap().problem.is_none());
}

#[tokio::test]
async fn a_schema_that_does_not_exist_is_said() {
    let Some(url) = test_database_url() else {
        return;
    };
    let e = PgStore::open(&format!("{url}?options=-c%20search_path%3Dno_such_schema"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("CREATE SCHEMA"), "{e}");
}

#[tokio::test]
async fn a_schema_at_an_older_version_is_brought_up_to_date_with_its_data() {
    let Some(db) = pg_schema().await else {
        return;
    };
    // The database as the first release wrote it: migration 1 alone, a fact-check, and a
    // stored item that had not been through the intake pipeline when that desk stopped.
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
    let mut first = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let newest = first.iter().map(|m| m.version).max().unwrap();
    assert!(newest > 1, "the test needs a migration after the first");
    first.migrations = first
        .iter()
        .filter(|m| m.version == 1)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let mut c = sqlx::PgConnection::connect(&db.0).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path = {}", db.1)))
        .execute(&mut c)
        .await
        .unwrap();
    first.run(&mut c).await.unwrap();
    c.close().await.unwrap();
    run(
        &db,
        "INSERT INTO factchecks (source_id, claim, appearances, duplicate_key, revision)
         VALUES ('old-1', 'a claim from before', '[]', 'old-1', 1);
         INSERT INTO items (item_key, text) VALUES ('old-item', 'a post from before');
         INSERT INTO pending_items (item_id) SELECT id FROM items WHERE item_key = 'old-item'",
    )
    .await;

    let s = open(&db).await.unwrap();
    use claimdesk_store::prelude::*;
    let fcs = s.fact_checks().await.unwrap();
    assert_eq!(fcs.len(), 1);
    assert_eq!(fcs[0].fact_check.claim, "a claim from before");
    assert!(
        fcs[0].withdrawn.is_none(),
        "a column added later reads as its default"
    );
    // The waiting item is still waiting, and the intake leases added later hand it out.
    let pending = s.claim_pending(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    let versions: Vec<i64> = {
        let mut c = sqlx::PgConnection::connect(&db.0).await.unwrap();
        let v = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM {}._sqlx_migrations ORDER BY version",
            db.1
        )))
        .fetch_all(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
        v
    };
    assert_eq!(versions, (1..=newest).collect::<Vec<_>>());
    assert!(s.verify_audit().await.unwrap().problem.is_none());
}
