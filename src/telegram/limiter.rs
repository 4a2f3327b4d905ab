//! Telegram's sending limits, kept by the bot itself and shaped like them (Bots FAQ):
//!
//! - one chat: about one message a second, short bursts allowed (here: 3 at once, then
//!   one a second); a group: 20 messages a minute;
//! - overall: about 30 a second, and that bound is for *bulk* messages — notifications,
//!   which the bot sends on its own. A reply to what a user just sent never waits behind
//!   notifications or behind the overall bound, only behind its own chat's limit;
//! - a 429's `retry_after` holds that chat back for as long as Telegram asked.
//!
//! A message goes at once while under the limits; only what is over them waits, in the
//! order it came, per chat. One chat's messages are sent one after another (the permit
//! is held until Telegram answered), so they arrive in order. Time is the process's
//! [`Clock`] over tokio's: unit tests run it paused, end-to-end tests move the clock.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use teloxide::{RequestError, requests::Request, types::ChatId};
use tokio::{
    sync::{Mutex as AsyncMutex, OwnedMutexGuard},
    time::Instant,
};

use crate::clock::Clock;

/// A message the user is waiting for, or one the bot sends on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// An answer to the user's own message or button: only its chat's limit applies.
    Reply,
    /// A notification: its chat's limit and the overall bulk rate.
    Bulk,
}

/// The limits kept. [`SendLimits::telegram`] is what Telegram documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimits {
    /// In a private chat, one message per `chat_interval` after a burst of `chat_burst`.
    pub chat_interval: Duration,
    pub chat_burst: u32,
    /// Messages per minute in one group or supergroup.
    pub group_per_minute: u32,
    /// Notifications per second from this process, all chats together.
    pub bulk_per_second: u32,
}

impl SendLimits {
    /// Telegram's limits, with `bulk_per_second` notifications a second overall
    /// (`TELEGRAM_RATE_LIMIT`).
    pub fn telegram(bulk_per_second: u32) -> SendLimits {
        SendLimits {
            chat_interval: Duration::from_secs(1),
            chat_burst: 3,
            group_per_minute: 20,
            bulk_per_second: bulk_per_second.max(1),
        }
    }
}

/// A 429 on a reply is retried this often at most, and only if Telegram asks for no
/// longer than `MAX_REPLY_HOLD`; beyond that the handler is told (the user is waiting).
const REPLY_RETRIES: u32 = 2;
const MAX_REPLY_HOLD: Duration = Duration::from_secs(30);
/// The table of chats is swept of idle entries when it has grown this much.
const SWEEP_AT: usize = 4_096;

/// What is known of one chat: when its next message may go.
#[derive(Default)]
struct ChatPace {
    /// The theoretical arrival time of the next message (GCRA): a message may go once
    /// `now >= tat - interval * (burst - 1)`.
    tat: Option<Instant>,
    /// Groups: when the last `group_per_minute` messages went.
    recent: VecDeque<Instant>,
    /// Until when Telegram asked this chat to wait (a 429's `retry_after`).
    held_until: Option<Instant>,
}

impl ChatPace {
    fn ready_at(&self, limits: &SendLimits, group: bool) -> Option<Instant> {
        let paced = if group {
            let n = limits.group_per_minute.max(1) as usize;
            (self.recent.len() >= n).then(|| self.recent[self.recent.len() - n] + Duration::from_secs(60))
        } else {
            let allowance = limits.chat_interval * limits.chat_burst.saturating_sub(1);
            self.tat.map(|tat| tat.checked_sub(allowance).unwrap_or(tat))
        };
        match (paced, self.held_until) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    fn take(&mut self, now: Instant, limits: &SendLimits, group: bool) {
        if group {
            self.recent.push_back(now);
            while self.recent.len() > limits.group_per_minute.max(1) as usize {
                self.recent.pop_front();
            }
        } else {
            self.tat = Some(self.tat.map_or(now, |tat| tat.max(now)) + limits.chat_interval);
        }
    }

    fn idle(&self, now: Instant) -> bool {
        let past = |t: Option<Instant>| t.is_none_or(|t| t <= now);
        past(self.tat)
            && past(self.held_until)
            && self.recent.back().is_none_or(|last| *last + Duration::from_secs(60) <= now)
    }
}

/// The bot's send limiter, shared by the handlers and the notifier of one process.
pub struct Limiter {
    limits: SendLimits,
    chats: Mutex<Chats>,
    /// The next free slot of the overall bulk rate.
    bulk_next: Mutex<Option<Instant>>,
    clock: Arc<Clock>,
}

struct Chats {
    by_id: HashMap<i64, Arc<AsyncMutex<ChatPace>>>,
    sweep_at: usize,
}

/// The right to send one message to one chat now. Held until Telegram answered, so
/// the chat's next message waits for this one.
pub struct Permit {
    pace: OwnedMutexGuard<ChatPace>,
    clock: Arc<Clock>,
}

impl Permit {
    /// Telegram asked to wait (a 429): this chat sends nothing more for `wait`.
    pub fn hold(&mut self, wait: Duration) {
        let until = self.clock.instant() + wait;
        self.pace.held_until = Some(self.pace.held_until.map_or(until, |t| t.max(until)));
    }
}

impl Limiter {
    pub fn new(limits: SendLimits, clock: Arc<Clock>) -> Limiter {
        Limiter {
            limits,
            chats: Mutex::new(Chats { by_id: HashMap::new(), sweep_at: SWEEP_AT }),
            bulk_next: Mutex::new(None),
            clock,
        }
    }

    /// The spacing of notifications: 5 % wider than the rate asks, so that the jitter
    /// between sending and Telegram receiving never puts 31 of a limit of 30 into one
    /// second on Telegram's side (measured: it did, at exactly 1/30 s).
    fn bulk_interval(&self) -> Duration {
        Duration::from_secs(1).div_f64(f64::from(self.limits.bulk_per_second.max(1)) * 0.95)
    }

    fn chat(&self, chat: ChatId) -> Arc<AsyncMutex<ChatPace>> {
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        if chats.by_id.len() >= chats.sweep_at {
            let now = self.clock.instant();
            // A chat nobody holds or waits for, whose limits have all run out, is the
            // same as one never seen.
            chats
                .by_id
                .retain(|_, pace| Arc::strong_count(pace) > 1 || pace.try_lock().map(|p| !p.idle(now)).unwrap_or(true));
            chats.sweep_at = (chats.by_id.len() * 2).max(SWEEP_AT);
        }
        chats.by_id.entry(chat.0).or_default().clone()
    }

    /// Waits until a message of `class` may go to `chat`: at once while under the
    /// limits; otherwise behind the chat's earlier messages, in order.
    pub async fn acquire(&self, chat: ChatId, class: Class) -> Permit {
        let group = chat.0 < 0;
        let mut pace = self.chat(chat).lock_owned().await;
        while let Some(at) = pace.ready_at(&self.limits, group).filter(|at| *at > self.clock.instant()) {
            self.clock.sleep_until(at).await;
        }
        if class == Class::Bulk {
            let slot = {
                let mut next = self.bulk_next.lock().unwrap_or_else(|e| e.into_inner());
                let now = self.clock.instant();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + self.bulk_interval());
                slot
            };
            self.clock.sleep_until(slot).await;
        }
        pace.take(self.clock.instant(), &self.limits, group);
        Permit { pace, clock: self.clock.clone() }
    }

    /// Sends one bulk request (a notification, a card brought up to date) to `chat`
    /// within the limits, once; a 429 holds the chat and is returned for the caller to
    /// retry later.
    pub async fn send_bulk<R>(&self, chat: ChatId, request: R) -> Result<teloxide::requests::Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
    {
        let mut permit = self.acquire(chat, Class::Bulk).await;
        let result = request.send().await;
        if let Err(RequestError::RetryAfter(after)) = &result {
            permit.hold(after.duration());
        }
        result
    }

    /// Sends a reply to `chat` within its limits; a 429 holds the chat for as long as
    /// Telegram asked and the request is sent again (twice at most, for waits up to 30 s).
    pub async fn send<R>(&self, chat: ChatId, request: R) -> Result<teloxide::requests::Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
    {
        let mut retries = 0;
        loop {
            let mut permit = self.acquire(chat, Class::Reply).await;
            match request.send_ref().await {
                Err(RequestError::RetryAfter(after))
                    if retries < REPLY_RETRIES && after.duration() <= MAX_REPLY_HOLD =>
                {
                    tracing::warn!(chat = chat.0, retry_after = ?after.duration(), "Telegram asked to slow down; the reply waits");
                    permit.hold(after.duration());
                    retries += 1;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(bulk: u32) -> Arc<Limiter> {
        Arc::new(Limiter::new(SendLimits::telegram(bulk), Arc::default()))
    }

    /// Acquires `class` permits for `chats` concurrently (in that order) and returns
    /// when each was granted, as seconds after the start, in the order granted.
    async fn grants(limiter: &Arc<Limiter>, chats: &[(i64, Class)]) -> Vec<(usize, f64)> {
        let start = Instant::now();
        let granted = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, (chat, class)) in chats.iter().copied().enumerate() {
            let (limiter, granted) = (limiter.clone(), granted.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = limiter.acquire(ChatId(chat), class).await;
                granted.lock().unwrap().push((i, (Instant::now() - start).as_secs_f64()));
            }));
            // Each task is queued before the next is spawned.
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.unwrap();
        }
        Arc::try_unwrap(granted).unwrap().into_inner().unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_reply_goes_at_once() {
        let limiter = limiter(30);
        let start = Instant::now();
        drop(limiter.acquire(ChatId(1), Class::Reply).await);
        assert_eq!(Instant::now(), start, "no waiting while under the limits");
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_over_the_chat_limit_is_delayed_in_order_and_nothing_is_dropped() {
        let limiter = limiter(30);
        let granted = grants(&limiter, &[(7, Class::Reply); 6]).await;
        let order: Vec<usize> = granted.iter().map(|g| g.0).collect();
        assert_eq!(order, vec![0, 1, 2, 3, 4, 5], "in the order they came");
        let times: Vec<f64> = granted.iter().map(|g| g.1).collect();
        assert_eq!(times, vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0], "a burst of 3, then one a second");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_that_chat_back_and_no_other() {
        let limiter = limiter(30);
        let mut permit = limiter.acquire(ChatId(5), Class::Reply).await;
        permit.hold(Duration::from_secs(7));
        drop(permit);
        let granted = grants(&limiter, &[(5, Class::Reply), (6, Class::Reply)]).await;
        assert_eq!(granted, vec![(1, 0.0), (0, 7.0)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_reply_does_not_wait_behind_notifications() {
        let limiter = limiter(30);
        // 300 notifications to 300 chats take 10.5 s at 95 % of 30 a second; the reply
        // comes last and goes at once.
        let mut sends: Vec<(i64, Class)> = (1..=300).map(|c| (c, Class::Bulk)).collect();
        sends.push((1_000, Class::Reply));
        let granted = grants(&limiter, &sends).await;
        let reply = granted.iter().find(|g| g.0 == 300).unwrap();
        assert_eq!(reply.1, 0.0);
        let last_bulk = granted.iter().filter(|g| g.0 < 300).map(|g| g.1).fold(0.0, f64::max);
        assert!((10.4..10.6).contains(&last_bulk), "{last_bulk}");
    }

    #[tokio::test(start_paused = true)]
    async fn notifications_never_go_faster_than_the_configured_rate() {
        let limiter = limiter(30);
        let sends: Vec<(i64, Class)> = (1..=95).map(|c| (c, Class::Bulk)).collect();
        let granted = grants(&limiter, &sends).await;
        assert_eq!(granted.len(), 95);
        let times: Vec<f64> = granted.iter().map(|g| g.1).collect();
        let most = (0..times.len())
            .map(|i| times[i..].iter().take_while(|u| **u < times[i] + 1.0 - 1e-9).count())
            .max()
            .unwrap();
        // 95 % of the rate: 29 in a second; 31 span more than 1.05 s, so a message that
        // reaches Telegram up to 50 ms late still does not make 31 in one second.
        assert_eq!(most, 29);
        let span_of_31 = times[30] - times[0];
        assert!(span_of_31 > 1.05, "{span_of_31}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_group_gets_twenty_a_minute() {
        let limiter = limiter(30);
        let granted = grants(&limiter, &[(-100, Class::Reply); 22]).await;
        assert!(granted[..20].iter().all(|g| g.1 == 0.0));
        assert_eq!((granted[20].1, granted[21].1), (60.0, 60.0));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_chats_are_forgotten() {
        let limiter = limiter(30);
        for chat in 0..SWEEP_AT as i64 {
            drop(limiter.acquire(ChatId(chat), Class::Reply).await);
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        drop(limiter.acquire(ChatId(-1), Class::Reply).await);
        assert!(limiter.chats.lock().unwrap().by_id.len() < 20);
    }
}
