//! What the benchmark programs share: a throw-away database on the PostgreSQL server at
//! `BENCH_DATABASE_URL` (any database's URL on it; by default the local server).

use sqlx::{Connection, PgConnection, PgPool};

/// A fresh, migrated database, dropped by [`BenchDb::drop_now`].
pub struct BenchDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
    admin: PgConnection,
}

impl BenchDb {
    pub async fn create(prefix: &str, connections: u32) -> BenchDb {
        let server = std::env::var("BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("{prefix}_{}", std::process::id());
        let mut admin = PgConnection::connect(&server).await.expect("PostgreSQL is running");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        let mut url = reqwest::Url::parse(&server).unwrap();
        url.set_path(&name);
        let pool =
            sqlx::postgres::PgPoolOptions::new().max_connections(connections).connect(url.as_str()).await.unwrap();
        merchant_bot::storage::MIGRATOR.run(&pool).await.unwrap();
        BenchDb { name, url: url.to_string(), pool, admin }
    }

    pub async fn drop_now(mut self) {
        self.pool.close().await;
        let sql = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut self.admin).await;
    }
}
