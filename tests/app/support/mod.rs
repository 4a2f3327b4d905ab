//! Test support: a fresh PostgreSQL database per test, the fake Bot API, and the whole
//! bot (the production `schema()`) running against them.

pub mod fake_telegram;
pub mod logs;
pub mod telegram_rules;

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use merchant_bot::telegram::SendLimits;
use merchant_bot::{
    app::App,
    config::{Config, Settings},
    crypto::MasterKey,
    domain::{AccountLabel, Credentials},
    local_postgres::LocalPostgres,
    providers::HttpOptions,
    run::{self, RunOptions, Running},
    simulator::{self, DEMO},
    storage,
};
use sqlx::{Connection, PgConnection, PgPool, postgres::PgPoolOptions};

pub use fake_telegram::{FakeTelegram, GROUP_ID, Sent, TestUser};

/// The invoice id in an invoice card's caption (`Invoice <id>`).
pub fn invoice_id(card: &Sent) -> String {
    let after = card.text.split("Invoice ").nth(1).expect("the caption names the invoice");
    after.split("</b>").next().unwrap().to_owned()
}

/// The server tests create their databases on: `TEST_DATABASE_URL` (or the server of
/// `DATABASE_URL`, or `127.0.0.1:5432`) if a server answers there and lets the
/// `postgres` role in; otherwise a throw-away cluster this test process starts with the
/// machine's PostgreSQL programs, stopped and removed when the process ends.
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| without_tls(find_server())).clone()
}

/// The tests' server is a local one: connections to it skip TLS unless the URL asks for
/// it (`sslmode=`). In a debug build a TLS handshake takes about 90 ms, and every test
/// opens several connections.
fn without_tls(url: String) -> String {
    let mut parsed = reqwest::Url::parse(&url).expect("TEST_DATABASE_URL is a URL");
    if parsed.query_pairs().any(|(k, _)| k == "sslmode") {
        return url;
    }
    parsed.query_pairs_mut().append_pair("sslmode", "disable");
    parsed.to_string()
}

fn find_server() -> String {
    {
        let wanted = std::env::var("TEST_DATABASE_URL")
            .or_else(|_| std::env::var("DATABASE_URL"))
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let probe = wanted.clone();
        let answers = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let connect = PgConnection::connect(&probe);
                matches!(tokio::time::timeout(Duration::from_secs(5), connect).await, Ok(Ok(_)))
            })
        })
        .join()
        .unwrap();
        if answers {
            return wanted;
        }
        let dir = std::env::temp_dir().join(format!("merchant-bot-tests-{}", std::process::id()));
        let server = LocalPostgres::start(&dir, true).unwrap_or_else(|e| {
            panic!("no PostgreSQL answers at {wanted}, and none could be started here: {e:#} (see README)")
        });
        eprintln!("no PostgreSQL answers at {wanted}; the tests use their own at {}", server.url);
        // Kept for the whole process; the server's watchdog stops it when the process ends.
        Box::leak(Box::new(server)).url.clone()
    }
}

fn url_for(db: &str) -> String {
    let mut url = reqwest::Url::parse(&server_url()).expect("TEST_DATABASE_URL is a URL");
    url.set_path(db);
    url.to_string()
}

/// A database migrated with this build's migrations, which each test's database is
/// copied from (a copy takes about 60 ms, migrating a fresh one about 400 ms). Named by
/// the migrations' checksums, so a changed migration gets a new one; built under another
/// name and renamed when complete, so an interrupted run never leaves a half-migrated one.
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for migration in storage::MIGRATOR.iter() {
                (migration.version, &migration.checksum[..]).hash(&mut hasher);
            }
            let name = format!("merchant_bot_template_{:016x}", hasher.finish());
            let mut admin = PgConnection::connect(&server_url()).await.expect("PostgreSQL is running (see README)");
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            if !exists {
                let building = format!("{name}_{}", std::process::id());
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let pool = storage::connect_and_migrate(&url_for(&building), storage::CONNECT_TIMEOUT)
                    .await
                    .expect("migrations apply");
                pool.close().await;
                // Another test process may have finished the same template meanwhile.
                let renamed = sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {name}")))
                    .execute(&mut admin)
                    .await;
                if renamed.is_err() {
                    let _ =
                        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")))
                            .execute(&mut admin)
                            .await;
                }
            }
            name
        })
        .await
}

/// A database of its own for one test, migrated; dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
}

impl TestDb {
    pub async fn new() -> TestDb {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!("merchant_bot_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let mut admin = PgConnection::connect(&server_url()).await.expect("PostgreSQL is running (see README)");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut admin)
            .await
            .unwrap();
        let template = template().await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = url_for(&name);
        // The copy is migrated already; the bot's own start-up path still runs (and finds
        // nothing left to apply).
        let pool = storage::connect_and_migrate(&url, storage::CONNECT_TIMEOUT).await.expect("migrations apply");
        TestDb { name, url, pool }
    }

    /// A second, independent pool on the same database: what another process would see.
    pub async fn new_pool(&self) -> PgPool {
        PgPoolOptions::new().max_connections(2).connect(&self.url).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(&server_url()).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .execute(&mut admin)
                        .await;
                }
            })
        })
        .join();
    }
}

/// Settings as an operator would give them, pointed at the fake Bot API.
pub fn settings(tg: &FakeTelegram, db: &TestDb) -> Settings {
    Settings {
        token: Some(fake_telegram::BOT_TOKEN.to_owned()),
        api_url: Some(tg.url.clone()),
        database_url: Some(db.url.clone()),
        master_key: Some(MasterKey::generate()),
        // Any free port: tests run side by side.
        listen_addr: Some("127.0.0.1:0".into()),
        ..Settings::default()
    }
}

/// Production options, but a short long-poll, so tests are quick.
pub fn test_options() -> RunOptions {
    RunOptions { polling_timeout: Duration::from_secs(1), notifier: true }
}

/// No per-chat pacing, so a test's quick steps in one chat do not wait a second each
/// (the limiter's own tests run Telegram's limits on a paused clock). A 429's
/// `retry_after` is still honored.
pub fn test_limits() -> SendLimits {
    SendLimits {
        chat_interval: Duration::from_millis(1),
        chat_burst: 1000,
        group_per_minute: 10_000,
        bulk_per_second: 1000,
    }
}

/// The `App` of a bot under test: gateway calls shortened, no per-chat pacing.
pub fn test_app(pool: sqlx::PgPool, config: Config) -> App {
    test_app_with(pool, config, test_http())
}

/// The same, with gateway calls made under `http`.
fn test_app_with(pool: sqlx::PgPool, config: Config, http: HttpOptions) -> App {
    App::with_http(pool, config, http).with_limits(test_limits())
}

/// Gateway calls in tests: a short timeout, one quick retry.
pub fn test_http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_millis(1_000),
        read_retries: 1,
        backoff: Duration::from_millis(10),
        ..HttpOptions::default()
    }
}

/// The whole bot against a fresh database, the fake Bot API and the gateway simulator.
pub struct TestApp {
    pub tg: FakeTelegram,
    pub db: TestDb,
    pub sim: simulator::Running,
    pub config: Config,
    /// How the bot makes its gateway calls (`test_http` unless a test says otherwise).
    http: HttpOptions,
    running: Option<Running>,
    /// The running bot's count of updates it may still take on at once.
    pub in_flight: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    /// The running bot's clock, which a test moves forward instead of waiting.
    pub clock: Option<std::sync::Arc<merchant_bot::app::Clock>>,
    /// Wakes the running bot's notifier (a test wakes it instead of waiting its pause).
    wake: Option<std::sync::Arc<tokio::sync::Notify>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// With settings changed by `adjust` (all gateways point at the simulator before).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::spawn_with_http(adjust, test_http()).await
    }

    /// With settings changed by `adjust`, and gateway calls made under `http`.
    pub async fn spawn_with_http(adjust: impl FnOnce(&mut Settings), http: HttpOptions) -> TestApp {
        let tg = FakeTelegram::start().await;
        let db = TestDb::new().await;
        let sim = simulator::start("127.0.0.1:0".parse().unwrap()).await.expect("the simulator starts");
        let mut s = settings(&tg, &db);
        s.bukalapak_api_url = Some(sim.url.clone());
        s.qris_api_url = Some(sim.url.clone());
        s.snap_api_url = Some(sim.url.clone());
        adjust(&mut s);
        let config = s.config().expect("test settings are valid");
        let mut app = TestApp { tg, db, sim, config, http, running: None, in_flight: None, clock: None, wake: None };
        app.start().await;
        app
    }

    async fn start(&mut self) {
        let app = test_app_with(self.db.pool.clone(), self.config.clone(), self.http.clone());
        self.in_flight = Some(app.in_flight.clone());
        self.clock = Some(app.clock.clone());
        self.wake = Some(app.wake.clone());
        self.running = Some(run::start(app, test_options()).await.expect("the bot starts"));
    }

    /// Runs the notifier's loops now instead of at the end of their pause.
    pub fn wake_notifier(&self) {
        if let Some(wake) = &self.wake {
            wake.notify_waiters();
        }
    }

    /// Where the running bot serves /healthz, /metrics and the webhook.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.running.as_ref().expect("the bot runs").http_addr)
    }

    /// Links an account straight in the database (for tests about something else).
    pub async fn link(
        &self,
        user: &TestUser,
        label: &str,
        credentials: Credentials,
    ) -> merchant_bot::domain::AccountId {
        storage::users::touch(&self.db.pool, user.uid(), user.language_code.as_deref()).await.unwrap();
        let label = AccountLabel::parse(label).unwrap();
        storage::accounts::insert(&self.db.pool, &self.config.master_key, user.uid(), &label, &credentials)
            .await
            .unwrap()
            .id
    }

    /// A call to the simulator's control API.
    pub async fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}{path}", self.sim.url);
        reqwest::Client::new().post(url).json(&body).send().await.unwrap().json().await.unwrap()
    }

    /// Waits until the bot has recorded the invoice card it posted as `message` in `chat`
    /// (it does so right after Telegram answers the send): an invoice paid before that
    /// moment (milliseconds after the card, which no customer can do) is not quoted.
    pub async fn card_recorded(&self, chat: i64, message: i64) {
        eventually(|| async {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM invoice_cards WHERE chat_id = $1 AND message_id = $2")
                    .bind(chat)
                    .bind(message as i32)
                    .fetch_optional(&self.db.pool)
                    .await
                    .unwrap();
            found.map(|_| ()).ok_or(format!("the card {message} in chat {chat} is recorded"))
        })
        .await
    }

    /// A gateway client for `credentials` at this test's simulator (as the bot makes them).
    pub fn sim_client(&self, credentials: &Credentials) -> merchant_bot::providers::Gateway {
        let url = Some(self.sim.url.parse().unwrap());
        let urls = merchant_bot::providers::GatewayUrls { bukalapak: url.clone(), qris: url.clone(), snap: url };
        merchant_bot::providers::Gateways::new(merchant_bot::providers::Http::new(test_http()), urls)
            .client(credentials)
            .unwrap()
    }

    /// Stops the bot as a SIGTERM would and starts a new one on the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            tokio::time::timeout(Duration::from_secs(10), running.shutdown())
                .await
                .expect("the bot stops within 10 s")
                .expect("the bot stops cleanly");
        }
    }
}

/// A test fails if the bot sent anything Telegram would have refused, even when what the
/// test looked at went well; tests that provoke a refusal say so with
/// [`FakeTelegram::expect_rejection`].
impl Drop for TestApp {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.tg.assert_no_rejections();
        }
    }
}

/// The simulator's demo accounts as credentials.
pub fn demo_bukalapak() -> Credentials {
    Credentials::Bukalapak { user_id: DEMO.bukalapak_user_id.into(), api_key: DEMO.bukalapak_api_key.into() }
}

pub fn demo_qris() -> Credentials {
    Credentials::Qris { api_key: DEMO.qris_api_key.into() }
}

pub fn demo_snap() -> Credentials {
    Credentials::Snap {
        partner_id: DEMO.snap_partner_id.into(),
        client_secret: DEMO.snap_client_secret.into(),
        account_id: DEMO.snap_account_id.into(),
    }
}

/// Every row of every table in the public schema, as text.
pub async fn dump_database(pool: &PgPool) -> String {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut all = String::new();
    for table in tables {
        let sql = format!("SELECT row_to_json(t)::text FROM \"{table}\" t");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await.unwrap();
        all.push_str(&rows.join("\n"));
        all.push('\n');
    }
    all
}

/// Polls `check` (every few milliseconds, up to 10 s) until it is `Ok`, and returns what
/// it found; if it is still `Err(why)` at the deadline the test fails with `why`. For
/// what another task or process does in its own time: the notifier, a card recorded
/// after Telegram's answer, a process starting.
pub async fn eventually<T, E, F, Fut>(mut check: F) -> T
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match check().await {
            Ok(found) => return found,
            Err(why) => assert!(std::time::Instant::now() < deadline, "{why}"),
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
