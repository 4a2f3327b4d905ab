//! PostgreSQL: connecting, the embedded migrations, and one module per table family.

pub mod accounts;
pub mod actions;
pub mod cards;
pub mod dialogue;
pub mod groups;
pub mod invoices;
pub mod outbox;
pub mod reports;
pub mod staff;
pub mod static_qris;
pub mod users;
pub mod watches;
pub mod withdrawals;

use std::time::Duration;

use sqlx::{
    PgPool,
    migrate::{MigrateDatabase, Migrator},
    postgres::PgPoolOptions,
};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// How long start-up waits for the database before giving up with a clear message,
/// unless `DATABASE_CONNECT_TIMEOUT` says otherwise.
pub use crate::config::DEFAULT_DATABASE_CONNECT_TIMEOUT as CONNECT_TIMEOUT;

/// How long a query waits for a free connection of the pool once running.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(8);

/// Why the database could not be used at start-up.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    // The cause is part of the one line (not a `source`, which would print it twice).
    #[error("DATABASE_URL: cannot reach the database at {url} (gave up after {waited:?}): {cause}")]
    Unreachable { url: String, waited: Duration, cause: sqlx::Error },
    #[error("DATABASE_URL: the migrations could not be applied to {url}: {source}")]
    Migrations { url: String, source: sqlx::migrate::MigrateError },
}

/// Connects, trying again until `wait` is over (a database that starts next to the bot
/// may take a while), then giving up with the last error. A database that does not exist
/// yet on a reachable server is created, so a fresh machine needs no manual `createdb`.
pub async fn connect(url: &str, wait: Duration) -> Result<PgPool, DatabaseError> {
    let mut last = None;
    let attempts = async {
        loop {
            match connect_once(url).await {
                // Refused, or no connection within the pool's timeout: the server may
                // still be starting.
                Err(e @ (sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                other => return other,
            }
        }
    };
    let result = tokio::time::timeout(wait, attempts).await;
    let unreachable = |cause| DatabaseError::Unreachable { url: redact_url(url), waited: wait, cause };
    match result {
        Ok(Ok(pool)) => Ok(pool),
        Ok(Err(source)) => Err(unreachable(source)),
        Err(_) => Err(unreachable(last.unwrap_or(sqlx::Error::PoolTimedOut))),
    }
}

async fn connect_once(url: &str) -> sqlx::Result<PgPool> {
    use sqlx::Connection;
    let options = || PgPoolOptions::new().max_connections(10).acquire_timeout(ACQUIRE_TIMEOUT);
    // One plain connection first: it fails with the reason (refused, unknown host, wrong
    // password), where the pool would only say that it timed out.
    match sqlx::PgConnection::connect(url).await {
        Ok(connection) => connection.close().await?,
        // No such database yet: created below.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {}
        Err(e) => return Err(e),
    }
    match options().connect(url).await {
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {
            sqlx::Postgres::create_database(url).await?;
            tracing::info!(database = redact_url(url), "created the database");
            options().connect(url).await
        }
        other => other,
    }
}

/// Connects (waiting up to `wait` for the server) and applies the migrations.
pub async fn connect_and_migrate(url: &str, wait: Duration) -> Result<PgPool, DatabaseError> {
    let pool = connect(url, wait).await?;
    MIGRATOR.run(&pool).await.map_err(|source| DatabaseError::Migrations { url: redact_url(url), source })?;
    Ok(pool)
}

pub use crate::config::redact_url;

/// Text columns that hold one of an enum's names (a CHECK constraint keeps each column to
/// those names) decode straight into the enum in a checked query
/// (`status AS "status: InvoiceState"`); a name the enum does not know is a decode error,
/// never a silent default. Parameters are bound by name (`state.as_str()`).
macro_rules! text_column {
    ($($t:ty),* $(,)?) => {$(
        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $t {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <String as sqlx::Decode<'r, sqlx::Postgres>>::decode(value)?;
                Ok(<$t>::try_from(name)?)
            }
        }
    )*};
}

/// Id columns (`bigint`) decode into their types in a checked query
/// (`id AS "id: WithdrawalId"`); a checked query's parameters are bound as numbers
/// (`id.get()`, the macros compare parameter types exactly).
macro_rules! id_column {
    ($($t:ty),* $(,)?) => {$(
        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <i64 as sqlx::Type<sqlx::Postgres>>::type_info()
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $t {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(<$t>::new(<i64 as sqlx::Decode<'r, sqlx::Postgres>>::decode(value)?))
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'_, sqlx::Postgres>>::encode_by_ref(&self.get(), buf)
            }
        }
    )*};
}

id_column!(
    crate::domain::AccountId,
    crate::domain::InvoiceId,
    crate::domain::WithdrawalId,
    crate::domain::TelegramUserId,
);

text_column!(
    crate::domain::InvoiceState,
    crate::domain::WithdrawalState,
    crate::domain::Provider,
    crate::domain::events::WatchKind,
    cards::Audience,
);

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        let shown = super::redact_url("postgres://bot:hunter2@db:5432/merchant_bot");
        assert_eq!(shown, "postgres://bot:***@db:5432/merchant_bot");
    }
}
