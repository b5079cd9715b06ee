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
