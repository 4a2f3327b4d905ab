//! Push notifications: a poller that watches the gateways and writes changes to the
//! outbox in the same transaction as the new state, and a sender that delivers the
//! outbox. Any number of bot processes may run both against one database: watches and
//! notifications are claimed with `FOR UPDATE SKIP LOCKED` and leases that a dead
//! process lets run out, so each is worked by one process and nothing is lost. A third
//! loop queues the daily summaries (`crate::reports::daily`); a fourth brings the cards
//! of ended invoices up to date (`cards`).

/// What a notification says: in `domain`, as storage writes it to the outbox.
pub use crate::domain::events;
pub mod cards;
pub mod poller;
pub mod sender;

use std::time::Duration;

use tokio::{sync::watch, task::JoinHandle};

use crate::{app::App, telegram::Bot};

/// The running poller and sender of one process.
pub struct Notifier {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// How long a loop sleeps when it found nothing to do.
fn idle(app: &App) -> Duration {
    (app.config.notify_poll_interval / 4).clamp(Duration::from_millis(100), Duration::from_secs(5))
}

async fn run_loop<F, Fut>(
    name: &'static str,
    mut stop: watch::Receiver<bool>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    pause: Duration,
    full: usize,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    while !*stop.borrow() {
        let done = match round().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(loop_ = name, error = format!("{e:#}"), "notifier round failed");
                0
            }
        };
        // A full batch means more is waiting: go on at once.
        if done < full {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
    }
}

impl Notifier {
    pub fn start(app: App, bot: Bot) -> Notifier {
        let (stop, rx) = watch::channel(false);
        let pause = idle(&app);
        let poll_app = app.clone();
        let poller =
            tokio::spawn(run_loop("poller", rx.clone(), app.wake.clone(), pause, poller::BATCH as usize, move || {
                let app = poll_app.clone();
                async move { poller::round(&app).await }
            }));
        // Daily summaries due: looked for every half minute (a query of the users whose
        // hour has come and whose day is not decided yet).
        let daily_app = app.clone();
        let daily = tokio::spawn(run_loop(
            "daily summary",
            rx.clone(),
            app.wake.clone(),
            Duration::from_secs(30),
            usize::MAX,
            move || {
                let app = daily_app.clone();
                async move {
                    let queued = crate::reports::daily::queue_due(&app.pool, app.clock.now()).await?;
                    Ok(queued as usize)
                }
            },
        ));
        // Invoice cards whose invoice ended: edited in place (stamp, caption, no buttons).
        let (cards_app, cards_bot) = (app.clone(), bot.clone());
        let cards = tokio::spawn(run_loop(
            "cards",
            rx.clone(),
            app.wake.clone(),
            Duration::from_millis(200),
            cards::BATCH as usize,
            move || {
                let (app, bot) = (cards_app.clone(), cards_bot.clone());
                async move { cards::round(&app, &bot).await }
            },
        ));
        let wake = app.wake.clone();
        let sender =
            tokio::spawn(run_loop("sender", rx, wake, Duration::from_millis(200), sender::BATCH as usize, move || {
                let (app, bot) = (app.clone(), bot.clone());
                async move { sender::round(&app, &bot).await }
            }));
        Notifier { stop, tasks: vec![poller, daily, cards, sender] }
    }

    /// Lets the rounds in progress finish (within `grace`), then stops.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
        }
    }
}
