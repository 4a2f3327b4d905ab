//! What every part of the running bot can reach: the database, the configuration (with
//! the master key) and the gateway clients. Built once at start-up (`run::start`), cloned
//! cheaply into each handler and background task.

use std::sync::Arc;

use sqlx::PgPool;
use teloxide::types::User;

use crate::{
    config::Config,
    crypto::MasterKey,
    providers::{GatewayUrls, Gateways, Http, HttpOptions},
    storage::{self, users::UserRow},
    telegram::{Limiter, SendLimits},
};

pub use crate::clock::Clock;

#[derive(Clone)]
pub struct App {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub gateways: Gateways,
    /// Telegram's sending limits, for the handlers and the notifier of this process.
    pub limiter: Arc<Limiter>,
    /// Updates being handled at once (`MAX_UPDATES_IN_FLIGHT`); the others wait their
    /// turn holding nothing but the update.
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// The bot's username, as Telegram answered `getMe` at start-up (for pay links).
    pub username: Arc<std::sync::OnceLock<String>>,
    /// The time the rules read (real in production, movable in tests).
    pub clock: Arc<Clock>,
    /// Wakes the notifier's loops of this process before their pause is over (tests
    /// wake them instead of waiting for the next round; see [`App::wake_notifier`]).
    pub wake: Arc<tokio::sync::Notify>,
}

/// How many updates one process handles at once. Above it, an update waits before its
/// first database read, so a backlog costs the update's few kilobytes instead of a
/// handler's buffers and a queue for the 10 database connections long enough to time
/// out (seen with 10,000 merchants at full speed). Each update handled costs about
/// 200 KB (its chat's queue in the dispatcher, the handler's state, its HTTP
/// connections): 512 took the bot to ~150 MB at 10,000 merchants, 256 to ~100 MB with
/// the same throughput (the machine, not this bound, is what limits it there). A
/// gateway that stops answering may hold at most half of these places
/// ([`MAX_CALLS_PER_GATEWAY`](crate::providers::http::MAX_CALLS_PER_GATEWAY)), so the
/// others keep serving everyone else.
pub const MAX_UPDATES_IN_FLIGHT: usize = 256;
const _: () = assert!(crate::providers::http::MAX_CALLS_PER_GATEWAY * 2 == MAX_UPDATES_IN_FLIGHT);

impl App {
    pub fn new(pool: PgPool, config: Config) -> App {
        let http = HttpOptions { timeout: config.gateway_timeout, ..HttpOptions::default() };
        App::with_http(pool, config, http)
    }

    /// With gateway timeouts and retries of one's own (tests shorten them).
    pub fn with_http(pool: PgPool, config: Config, http: HttpOptions) -> App {
        let clock = Arc::new(Clock::default());
        let gateways = Gateways::new(Http::new(http), GatewayUrls::from_config(&config)).with_clock(clock.clone());
        let limiter = Arc::new(Limiter::new(SendLimits::telegram(config.telegram_rate_limit), clock.clone()));
        let in_flight = Arc::new(tokio::sync::Semaphore::new(MAX_UPDATES_IN_FLIGHT));
        App {
            pool,
            config: Arc::new(config),
            gateways,
            limiter,
            in_flight,
            username: Arc::default(),
            clock,
            wake: Arc::default(),
        }
    }

    /// Runs the notifier's loops (poller, sender, card refresher) now rather than at the
    /// end of their pause: what is due is worked at once.
    pub fn wake_notifier(&self) {
        self.wake.notify_waiters();
    }

    /// With sending limits of one's own (tests lift the per-chat pacing).
    pub fn with_limits(self, limits: SendLimits) -> App {
        App { limiter: Arc::new(Limiter::new(limits, self.clock.clone())), ..self }
    }

    pub fn key(&self) -> &MasterKey {
        &self.config.master_key
    }

    /// Records the user as seen and returns what the bot knows of them.
    pub async fn user(&self, user: &User) -> sqlx::Result<UserRow> {
        storage::users::touch(
            &self.pool,
            crate::domain::TelegramUserId::new(user.id.0 as i64),
            user.language_code.as_deref(),
        )
        .await
    }
}

/// The message a panic was raised with (`panic!("…")` gives a `&str` or a `String`).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
