//! Configuration: one typed [`Config`] read from the environment and matching flags
//! (PRODUCT.md section 6). Every value is checked at start-up; a missing or malformed one
//! becomes a [`ConfigError`] that names the variable in one line.

use std::{net::SocketAddr, time::Duration};

use clap::{Args, Parser, Subcommand};
use reqwest::Url;

use crate::crypto::MasterKey;

/// Telegram's Bot API, used when `TELOXIDE_API_URL` is not set.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/merchant_bot";
pub const DEFAULT_BUKALAPAK_API_URL: &str = "https://api.bukalapak.com";

/// Command line of `merchant-bot`. Each setting is a flag and an environment variable;
/// the flag wins. Values are kept as text here and checked by [`Settings::config`], so
/// that a bad one is reported in one line naming the variable.
#[derive(Debug, Parser)]
#[command(name = "merchant-bot", version, about = "Telegram bot for Indonesian merchants' payment-gateway accounts")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot (the default).
    Run,
    /// Apply the database migrations and exit.
    Migrate,
    /// Print a fresh MASTER_KEY (base64 of 32 random bytes).
    Keygen,
    /// Re-encrypt every stored credential under a new key, read from standard input
    /// (one line, as printed by `keygen`), in one transaction. MASTER_KEY is the current key.
    RotateKey,
    /// Try the bot with only TELOXIDE_TOKEN: the gateway simulator in the same process,
    /// the three providers pointed at it, the master key kept in a file of its own, and
    /// DATABASE_URL if a server answers there, else a PostgreSQL of its own started with
    /// the machine's initdb and postgres (stopped on exit).
    Demo {
        /// Folder for the master key and, if needed, the PostgreSQL cluster.
        #[arg(long, default_value = "merchant-bot-demo")]
        data_dir: std::path::PathBuf,
        /// Address of the gateway simulator (and of its control API, to pay invoices).
        #[arg(long, default_value = "127.0.0.1:8090")]
        simulator_listen: std::net::SocketAddr,
    },
    /// Exit 0 when /healthz on LISTEN_ADDR says the bot is healthy, 1 otherwise (for a
    /// container HEALTHCHECK: the runtime image has no shell or curl).
    Healthcheck,
    /// Serve the three gateways' APIs from memory, with demo accounts, for trying the
    /// bot without real credentials. Point BUKALAPAK_API_URL, QRIS_API_URL and
    /// SNAP_API_URL at it.
    Simulate {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
        /// The URL the bot reaches the simulator at, for the `qris_image` links it hands
        /// out (`http://simulator:8090` in compose.yaml); the listen address by default.
        #[arg(long)]
        public_url: Option<String>,
    },
}

#[derive(Default, Args)]
pub struct Settings {
    /// Bot token from @BotFather.
    /// (As a flag it is visible in `ps`: prefer the environment.)
    #[arg(long = "token", env = "TELOXIDE_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Bot API base URL (a self-hosted Bot API server or a test double).
    #[arg(long = "api-url", env = "TELOXIDE_API_URL", global = true)]
    pub api_url: Option<String>,
    /// PostgreSQL connection URL.
    #[arg(long = "database-url", env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// How long start-up waits for the database to answer before giving up (`8s`, `1m`).
    #[arg(long = "database-connect-timeout", env = "DATABASE_CONNECT_TIMEOUT", global = true)]
    pub database_connect_timeout: Option<String>,
    /// Base64 of 32 random bytes; encrypts credentials at rest (`merchant-bot keygen`).
    /// (As a flag it is visible in `ps`: prefer the environment or --master-key-file.)
    #[arg(long = "master-key", env = "MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key: Option<String>,
    /// A file holding the master key (the container secrets convention), instead of
    /// MASTER_KEY.
    #[arg(long = "master-key-file", env = "MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<String>,
    /// Bukalapak API base URL.
    #[arg(long = "bukalapak-api-url", env = "BUKALAPAK_API_URL", global = true)]
    pub bukalapak_api_url: Option<String>,
    /// QRIS gateway base URL; the provider is offered only when set.
    #[arg(long = "qris-api-url", env = "QRIS_API_URL", global = true)]
    pub qris_api_url: Option<String>,
    /// SNAP gateway base URL; the provider is offered only when set.
    #[arg(long = "snap-api-url", env = "SNAP_API_URL", global = true)]
    pub snap_api_url: Option<String>,
    /// Public URL for webhook mode; long polling when unset.
    #[arg(long = "webhook-url", env = "WEBHOOK_URL", global = true)]
    pub webhook_url: Option<String>,
    /// Address of /healthz, /metrics and the webhook.
    #[arg(long = "listen-addr", env = "LISTEN_ADDR", global = true)]
    pub listen_addr: Option<String>,
    /// Base interval of the notification poller (`30s`, `500ms`).
    #[arg(long = "notify-poll-interval", env = "NOTIFY_POLL_INTERVAL", global = true)]
    pub notify_poll_interval: Option<String>,
    /// An unfinished dialogue expires after this (`10m`, `5s`).
    #[arg(long = "dialogue-timeout", env = "DIALOGUE_TIMEOUT", global = true)]
    pub dialogue_timeout: Option<String>,
    /// A command whose gateway has not answered after this gets a "the gateway is slow"
    /// message, which the answer then replaces (`10s`).
    #[arg(long = "slow-notice-after", env = "SLOW_NOTICE_AFTER", global = true)]
    pub slow_notice_after: Option<String>,
    /// How long one gateway request may take, all retries of a read included (`30s`).
    #[arg(long = "gateway-timeout", env = "GATEWAY_TIMEOUT", global = true)]
    pub gateway_timeout: Option<String>,
    /// How often withdrawals of unknown outcome are looked up in the gateways' histories
    /// (`60s`).
    #[arg(long = "resolve-every", env = "RESOLVE_EVERY", global = true)]
    pub resolve_every: Option<String>,
    /// A withdrawal of unknown outcome still missing from the gateway's complete history
    /// this long after its request was not made (`15m`).
    #[arg(long = "withdrawal-give-up-after", env = "WITHDRAWAL_GIVE_UP_AFTER", global = true)]
    pub withdrawal_give_up_after: Option<String>,
    /// Notifications per second this process sends, all chats together (`30`, Telegram's
    /// bound for bulk messages; replies to users are not counted against it). Up to
    /// 1000 with TELEGRAM_PAID_BROADCAST.
    #[arg(long = "telegram-rate-limit", env = "TELEGRAM_RATE_LIMIT", global = true)]
    pub telegram_rate_limit: Option<String>,
    /// `true`: notifications are sent with `allow_paid_broadcast`, which lets a bot send
    /// up to 1000 a second and is paid for in Telegram Stars from the bot's balance.
    #[arg(long = "telegram-paid-broadcast", env = "TELEGRAM_PAID_BROADCAST", global = true)]
    pub telegram_paid_broadcast: Option<String>,
    /// Fault injection for the reliability program only: a message of exactly this text
    /// makes its handler panic. Unset in any real deployment.
    #[arg(long = "fault-panic-text", env = "FAULT_PANIC_TEXT", global = true, hide = true)]
    pub fault_panic_text: Option<String>,
    /// Largest /deposit in rupiah.
    #[arg(long = "max-deposit-amount", env = "MAX_DEPOSIT_AMOUNT", global = true)]
    pub max_deposit_amount: Option<String>,
    /// Log filter (`info`, `merchant_bot=debug`).
    #[arg(long = "log", env = "RUST_LOG", global = true)]
    pub log: Option<String>,
    /// `json` (one object per line), `pretty` (colours) or `plain`; by default `pretty`
    /// on a terminal and `plain` otherwise, so no colour codes reach a file or a pipe.
    #[arg(long = "log-format", env = "LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
    Plain,
}

/// A setting that is missing or malformed, named by its environment variable.
#[derive(Debug, thiserror::Error)]
#[error("{var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(var: &'static str, problem: impl Into<String>) -> Self {
        ConfigError { var, problem: problem.into() }
    }
}

/// Everything the running bot needs, checked. `Debug` leaves out the token and the key
/// and shows the database URL without its password.
#[derive(Clone)]
pub struct Config {
    pub token: String,
    pub api_url: Url,
    pub database_url: String,
    /// How long start-up waits for the database (`DATABASE_CONNECT_TIMEOUT`).
    pub database_connect_timeout: Duration,
    pub master_key: MasterKey,
    pub bukalapak_api_url: Url,
    pub qris_api_url: Option<Url>,
    pub snap_api_url: Option<Url>,
    pub webhook_url: Option<Url>,
    pub listen_addr: SocketAddr,
    pub notify_poll_interval: Duration,
    pub dialogue_timeout: Duration,
    /// When a command still waiting for its gateway says so.
    pub slow_notice_after: Duration,
    /// Largest `/deposit`, in whole rupiah.
    pub max_deposit_amount: u64,
    /// One gateway request's deadline, all retries of a read included.
    pub gateway_timeout: Duration,
    /// How often unknown withdrawals are looked up in the gateways' histories.
    pub resolve_every: Duration,
    /// When an unknown withdrawal missing from the history is taken as not made.
    pub withdrawal_give_up_after: Duration,
    /// See [`Settings::fault_panic_text`].
    pub fault_panic_text: Option<String>,
    /// Notifications per second, this process (`TELEGRAM_RATE_LIMIT`).
    pub telegram_rate_limit: u32,
    /// Notifications sent as paid broadcasts (`TELEGRAM_PAID_BROADCAST`).
    pub telegram_paid_broadcast: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("token", &"[redacted]")
            .field("api_url", &self.api_url.as_str())
            .field("database_url", &redact_url(&self.database_url))
            .field("master_key", &"[redacted]")
            .field("bukalapak_api_url", &self.bukalapak_api_url.as_str())
            .field("qris_api_url", &self.qris_api_url.as_ref().map(Url::as_str))
            .field("snap_api_url", &self.snap_api_url.as_ref().map(Url::as_str))
            .field("webhook_url", &self.webhook_url.as_ref().map(Url::as_str))
            .field("listen_addr", &self.listen_addr)
            .field("gateway_timeout", &self.gateway_timeout)
            .field("telegram_rate_limit", &self.telegram_rate_limit)
            .field("telegram_paid_broadcast", &self.telegram_paid_broadcast)
            .finish_non_exhaustive()
    }
}

/// The settings as given, with the secrets left out.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |v: &Option<String>| if v.is_some() { "[given]" } else { "[unset]" };
        f.debug_struct("Settings")
            .field("token", &given(&self.token))
            .field("master_key", &given(&self.master_key))
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("master_key_file", &self.master_key_file)
            .finish_non_exhaustive()
    }
}

/// How long start-up waits for the database unless `DATABASE_CONNECT_TIMEOUT` is set.
pub const DEFAULT_DATABASE_CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

impl Config {
    /// How long a process owns a withdrawal it claimed for its one request: the
    /// request's deadline and the writes after it, with a wide margin (2 min by default).
    pub fn submit_lease(&self) -> Duration {
        (self.gateway_timeout * 4).max(Duration::from_secs(5))
    }

    /// What sending a withdrawal takes from the configuration: the claim's lease
    /// ([`Config::submit_lease`]) and, once the gateway accepted it, how long until its
    /// watch is first checked (one poll interval).
    pub fn submit_times(&self) -> (Duration, Duration) {
        (self.submit_lease(), self.notify_poll_interval)
    }
}

impl Settings {
    /// The database URL, or the documented default.
    /// How long start-up waits for the database to answer.
    pub fn database_connect_timeout(&self) -> Result<Duration, ConfigError> {
        duration_or(&self.database_connect_timeout, "DATABASE_CONNECT_TIMEOUT", DEFAULT_DATABASE_CONNECT_TIMEOUT)
    }

    pub fn database_url(&self) -> Result<String, ConfigError> {
        let url = self.database_url.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let url = url.unwrap_or(DEFAULT_DATABASE_URL);
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::new("DATABASE_URL", "must be a postgres:// URL"));
        }
        Ok(url.to_owned())
    }

    /// The master key from MASTER_KEY, or from the file MASTER_KEY_FILE names; never both.
    pub fn master_key(&self) -> Result<MasterKey, ConfigError> {
        match (non_empty(&self.master_key), non_empty(&self.master_key_file)) {
            (Some(_), Some(_)) => {
                Err(ConfigError::new("MASTER_KEY_FILE", "is set together with MASTER_KEY: set only one of them"))
            }
            (Some(raw), None) => {
                MasterKey::parse(raw).map_err(|e| ConfigError::new("MASTER_KEY", format!("is malformed: {e}")))
            }
            (None, Some(path)) => {
                let raw = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::new("MASTER_KEY_FILE", format!("cannot be read ({path}): {e}")))?;
                MasterKey::parse(raw.trim()).map_err(|e| {
                    ConfigError::new("MASTER_KEY_FILE", format!("does not hold a valid key ({path}): {e}"))
                })
            }
            (None, None) => Err(ConfigError::new(
                "MASTER_KEY",
                "is not set (nor MASTER_KEY_FILE): it encrypts credentials at rest; `merchant-bot keygen` prints one",
            )),
        }
    }

    /// The log format: `LOG_FORMAT`, or by whether standard error is a terminal.
    pub fn log_format(&self) -> Result<LogFormat, ConfigError> {
        match non_empty(&self.log_format) {
            None => {
                use std::io::IsTerminal;
                Ok(if std::io::stderr().is_terminal() { LogFormat::Pretty } else { LogFormat::Plain })
            }
            Some("json") => Ok(LogFormat::Json),
            Some("pretty") => Ok(LogFormat::Pretty),
            Some("plain") => Ok(LogFormat::Plain),
            Some(other) => {
                Err(ConfigError::new("LOG_FORMAT", format!("is malformed: {other:?} is not json, pretty or plain")))
            }
        }
    }

    pub fn log_filter(&self) -> &str {
        self.log.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or("info")
    }

    /// Checks every setting the bot needs to run.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let token = required(
            &self.token,
            "TELOXIDE_TOKEN",
            "is not set: the bot token from @BotFather is required to run the bot",
        )?;
        if !token.contains(':') || token.chars().any(char::is_whitespace) {
            return Err(ConfigError::new("TELOXIDE_TOKEN", "is malformed: a bot token looks like 123456:ABC-DEF…"));
        }
        let telegram_paid_broadcast = match non_empty(&self.telegram_paid_broadcast) {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "TELEGRAM_PAID_BROADCAST",
                    format!("is malformed: {other:?} is not true or false"),
                ));
            }
        };
        let most = if telegram_paid_broadcast { 1000 } else { 30 };
        let telegram_rate_limit = match non_empty(&self.telegram_rate_limit) {
            None => 30,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if (1..=most).contains(&n) => n,
                Ok(n) if n > most && !telegram_paid_broadcast => {
                    return Err(ConfigError::new(
                        "TELEGRAM_RATE_LIMIT",
                        format!(
                            "is {n}, above Telegram's 30 notifications a second: lower it, or set \
                             TELEGRAM_PAID_BROADCAST=true (up to 1000, paid in Stars)"
                        ),
                    ));
                }
                _ => {
                    return Err(ConfigError::new(
                        "TELEGRAM_RATE_LIMIT",
                        format!("is malformed: {s:?} is not a whole number of messages a second from 1 to {most}"),
                    ));
                }
            },
        };
        Ok(Config {
            token: token.to_owned(),
            telegram_rate_limit,
            telegram_paid_broadcast,
            api_url: url_or(&self.api_url, "TELOXIDE_API_URL", TELEGRAM_API_URL)?,
            database_url: self.database_url()?,
            database_connect_timeout: self.database_connect_timeout()?,
            master_key: self.master_key()?,
            bukalapak_api_url: url_or(&self.bukalapak_api_url, "BUKALAPAK_API_URL", DEFAULT_BUKALAPAK_API_URL)?,
            qris_api_url: optional_url(&self.qris_api_url, "QRIS_API_URL")?,
            snap_api_url: optional_url(&self.snap_api_url, "SNAP_API_URL")?,
            webhook_url: optional_url(&self.webhook_url, "WEBHOOK_URL")?,
            listen_addr: match non_empty(&self.listen_addr) {
                None => SocketAddr::from(([127, 0, 0, 1], 8080)),
                Some(s) => s.parse().map_err(|_| {
                    ConfigError::new(
                        "LISTEN_ADDR",
                        format!("is malformed: {s:?} is not an address like 127.0.0.1:8080"),
                    )
                })?,
            },
            notify_poll_interval: duration_or(
                &self.notify_poll_interval,
                "NOTIFY_POLL_INTERVAL",
                Duration::from_secs(30),
            )?,
            dialogue_timeout: duration_or(&self.dialogue_timeout, "DIALOGUE_TIMEOUT", Duration::from_secs(600))?,
            slow_notice_after: duration_or(&self.slow_notice_after, "SLOW_NOTICE_AFTER", Duration::from_secs(10))?,
            gateway_timeout: duration_or(&self.gateway_timeout, "GATEWAY_TIMEOUT", Duration::from_secs(30))?,
            resolve_every: duration_or(&self.resolve_every, "RESOLVE_EVERY", Duration::from_secs(60))?,
            withdrawal_give_up_after: duration_or(
                &self.withdrawal_give_up_after,
                "WITHDRAWAL_GIVE_UP_AFTER",
                Duration::from_secs(15 * 60),
            )?,
            fault_panic_text: non_empty(&self.fault_panic_text).map(str::to_owned),
            max_deposit_amount: match non_empty(&self.max_deposit_amount) {
                None => 10_000_000,
                Some(s) => match s.parse::<u64>() {
                    Ok(n) if n > 0 => n,
                    _ => {
                        return Err(ConfigError::new(
                            "MAX_DEPOSIT_AMOUNT",
                            format!("is malformed: {s:?} is not a whole number of rupiah above zero"),
                        ));
                    }
                },
            },
        })
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn required<'a>(value: &'a Option<String>, var: &'static str, problem: &str) -> Result<&'a str, ConfigError> {
    non_empty(value).ok_or_else(|| ConfigError::new(var, problem))
}

fn parse_url(raw: &str, var: &'static str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw).map_err(|e| ConfigError::new(var, format!("is malformed: {raw:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(var, format!("is malformed: {raw:?} is not an http(s) URL")));
    }
    Ok(url)
}

fn url_or(value: &Option<String>, var: &'static str, default: &str) -> Result<Url, ConfigError> {
    parse_url(non_empty(value).unwrap_or(default), var)
}

fn optional_url(value: &Option<String>, var: &'static str) -> Result<Option<Url>, ConfigError> {
    non_empty(value).map(|raw| parse_url(raw, var)).transpose()
}

fn duration_or(value: &Option<String>, var: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    match non_empty(value) {
        None => Ok(default),
        Some(raw) => parse_duration(raw).ok_or_else(|| {
            ConfigError::new(var, format!("is malformed: {raw:?} is not a duration like 30s, 500ms or 10m"))
        }),
    }
}

/// Parses `500ms`, `30s`, `10m`, `1h` (a whole number and a unit); zero is refused.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = raw.split_at(split);
    let n: u64 = number.parse().ok()?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    };
    (!d.is_zero()).then_some(d)
}

/// The URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            token: Some("123:abc".into()),
            api_url: None,
            database_url: None,
            database_connect_timeout: None,
            master_key: Some(MasterKey::generate()),
            bukalapak_api_url: None,
            qris_api_url: None,
            snap_api_url: None,
            webhook_url: None,
            listen_addr: None,
            notify_poll_interval: None,
            dialogue_timeout: None,
            slow_notice_after: None,
            max_deposit_amount: None,
            gateway_timeout: None,
            resolve_every: None,
            withdrawal_give_up_after: None,
            fault_panic_text: None,
            telegram_rate_limit: None,
            telegram_paid_broadcast: None,
            log: None,
            master_key_file: None,
            log_format: None,
        }
    }

    #[test]
    fn defaults_follow_the_product_table() {
        let c = settings().config().unwrap();
        assert_eq!(c.api_url.as_str(), "https://api.telegram.org/");
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.database_connect_timeout, Duration::from_secs(8));
        assert_eq!(c.bukalapak_api_url.as_str(), "https://api.bukalapak.com/");
        assert!(c.qris_api_url.is_none() && c.snap_api_url.is_none() && c.webhook_url.is_none());
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.notify_poll_interval, Duration::from_secs(30));
        assert_eq!(c.dialogue_timeout, Duration::from_secs(600));
        assert_eq!(c.max_deposit_amount, 10_000_000);
        assert_eq!(c.gateway_timeout, Duration::from_secs(30));
        assert_eq!(c.submit_lease(), Duration::from_secs(120));
        assert_eq!(c.resolve_every, Duration::from_secs(60));
        assert_eq!(c.withdrawal_give_up_after, Duration::from_secs(15 * 60));
        assert_eq!(c.fault_panic_text, None);
        assert_eq!((c.telegram_rate_limit, c.telegram_paid_broadcast), (30, false));
    }

    #[test]
    fn the_notification_rate_stays_within_telegrams_bound_unless_paid_broadcast_is_on() {
        let with = |rate: &str, paid: Option<&str>| {
            let mut s = settings();
            s.telegram_rate_limit = Some(rate.into());
            s.telegram_paid_broadcast = paid.map(Into::into);
            s.config().map(|c| (c.telegram_rate_limit, c.telegram_paid_broadcast))
        };
        assert_eq!(with("12", None).unwrap(), (12, false));
        let over = with("31", None).unwrap_err();
        assert_eq!(over.var, "TELEGRAM_RATE_LIMIT");
        assert!(over.problem.contains("TELEGRAM_PAID_BROADCAST"), "{}", over.problem);
        assert_eq!(with("1000", Some("true")).unwrap(), (1000, true));
        assert_eq!(with("1001", Some("true")).unwrap_err().var, "TELEGRAM_RATE_LIMIT");
        assert_eq!(with("0", None).unwrap_err().var, "TELEGRAM_RATE_LIMIT");
        assert_eq!(with("30", Some("yes")).unwrap_err().var, "TELEGRAM_PAID_BROADCAST");
    }

    #[test]
    fn each_bad_setting_is_named() {
        type Spoil = Box<dyn Fn(&mut Settings)>;
        let cases: Vec<(&str, Spoil)> = vec![
            ("TELOXIDE_TOKEN", Box::new(|s| s.token = None)),
            ("TELOXIDE_TOKEN", Box::new(|s| s.token = Some("nocolon".into()))),
            ("MASTER_KEY", Box::new(|s| s.master_key = None)),
            ("MASTER_KEY", Box::new(|s| s.master_key = Some("c2hvcnQ=".into()))),
            ("DATABASE_URL", Box::new(|s| s.database_url = Some("mysql://x".into()))),
            ("DATABASE_CONNECT_TIMEOUT", Box::new(|s| s.database_connect_timeout = Some("later".into()))),
            ("QRIS_API_URL", Box::new(|s| s.qris_api_url = Some("not a url".into()))),
            ("LISTEN_ADDR", Box::new(|s| s.listen_addr = Some("localhost".into()))),
            ("NOTIFY_POLL_INTERVAL", Box::new(|s| s.notify_poll_interval = Some("soon".into()))),
            ("DIALOGUE_TIMEOUT", Box::new(|s| s.dialogue_timeout = Some("0s".into()))),
            ("MAX_DEPOSIT_AMOUNT", Box::new(|s| s.max_deposit_amount = Some("10.5".into()))),
            ("GATEWAY_TIMEOUT", Box::new(|s| s.gateway_timeout = Some("30".into()))),
            ("RESOLVE_EVERY", Box::new(|s| s.resolve_every = Some("-1s".into()))),
            ("WITHDRAWAL_GIVE_UP_AFTER", Box::new(|s| s.withdrawal_give_up_after = Some("0m".into()))),
            ("MASTER_KEY_FILE", Box::new(|s| s.master_key_file = Some("/nonexistent/master.key".into()))),
            (
                "MASTER_KEY_FILE",
                Box::new(|s| {
                    s.master_key = None;
                    s.master_key_file = Some("/nonexistent/master.key".into())
                }),
            ),
        ];
        for (var, spoil) in cases {
            let mut s = settings();
            spoil(&mut s);
            let err = s.config().unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().starts_with(var), "{err}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    #[test]
    fn the_key_can_come_from_a_file_and_a_bad_file_is_named() {
        let dir = std::env::temp_dir().join(format!("merchant-bot-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = MasterKey::generate();
        std::fs::write(dir.join("key"), format!("{key}\n")).unwrap();
        std::fs::write(dir.join("bad"), "not a key").unwrap();
        let mut s = settings();
        s.master_key = None;
        s.master_key_file = Some(dir.join("key").display().to_string());
        assert_eq!(s.config().unwrap().master_key.id(), MasterKey::parse(&key).unwrap().id());
        s.master_key_file = Some(dir.join("bad").display().to_string());
        let err = s.config().unwrap_err();
        assert_eq!(err.var, "MASTER_KEY_FILE");
        assert!(!err.to_string().contains("not a key"), "the file's content is not echoed: {err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_output_keeps_the_secrets_out() {
        let mut s = settings();
        s.database_url = Some("postgres://bot:hunter2-db@db.internal/merchant".into());
        let key = s.master_key.clone().unwrap();
        let shown = format!("{s:?} {:?}", s.config().unwrap());
        for secret in ["123:abc", key.as_str(), "hunter2-db"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("db.internal"), "{shown}");
    }

    #[test]
    fn log_formats() {
        let mut s = settings();
        for (raw, format) in [("json", LogFormat::Json), ("pretty", LogFormat::Pretty), ("plain", LogFormat::Plain)] {
            s.log_format = Some(raw.into());
            assert_eq!(s.log_format().unwrap(), format);
        }
        s.log_format = Some("xml".into());
        assert_eq!(s.log_format().unwrap_err().var, "LOG_FORMAT");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        for bad in ["", "s", "10", "1.5s", "-1s", "0ms", "10 years"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
