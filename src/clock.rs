//! The time as the bot reads it: the real time plus an offset that only tests move
//! ([`Clock::advance`]) to let seconds or days pass without waiting for them. One clock
//! per process (`App::clock`), read by the rules (`now`), by Telegram's send limits and
//! by the gateways' token lifetimes (`instant`, `sleep_until`). The database's own
//! `now()` in SQL is not moved by it: tests that need stored times older move those.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
    /// Wakes whoever sleeps on this clock when it is moved.
    moved: Notify,
}

impl Clock {
    fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::Relaxed).max(0) as u64)
    }

    /// The wall-clock time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The monotonic time (tokio's, so a paused runtime pauses it too).
    pub fn instant(&self) -> Instant {
        Instant::now() + self.offset()
    }

    /// Sleeps until this clock's `instant()` reaches `at`: sooner if the clock is moved
    /// past it meanwhile.
    pub async fn sleep_until(&self, at: Instant) {
        loop {
            let moved = self.moved.notified();
            tokio::pin!(moved);
            // Registered before the deadline is read, so a move in between is not missed.
            moved.as_mut().enable();
            let Some(real) = at.checked_sub(self.offset()) else { return };
            if real <= Instant::now() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(real) => return,
                _ = moved => {}
            }
        }
    }

    /// Moves this clock forward by `by` (tests), waking its sleepers.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.moved.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_sleeper_wakes_when_the_clock_is_moved_past_its_deadline() {
        let clock = Arc::new(Clock::default());
        let (started, at) = (std::time::Instant::now(), clock.instant() + Duration::from_secs(3600));
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(at).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(1800));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "half an hour is not enough");
        clock.advance(Duration::from_secs(1800));
        tokio::time::timeout(Duration::from_secs(5), sleeper).await.expect("woken by the move").unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(clock.instant() >= at);
    }
}
