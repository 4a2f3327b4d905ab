//! Long polling that asks Telegram for more updates only while the bot has room for
//! them: the next update is taken from the listener (and, after a batch, the next
//! `getUpdates` sent) only once one of the [`App::in_flight`](crate::app::App) places is
//! free. A backlog then waits at Telegram instead of in this process's memory.

use std::sync::Arc;

use futures::{Stream, StreamExt, stream::BoxStream};
use teloxide::{
    stop::StopToken,
    types::{AllowedUpdate, Update},
    update_listeners::{AsUpdateStream, UpdateListener},
};
use tokio::sync::Semaphore;

/// `inner`, taking an update only when `room` has a free place.
pub struct Paced<L> {
    pub inner: L,
    pub room: Arc<Semaphore>,
}

/// Each item of `stream` is handed on only once `room` has a free place; the stream is
/// not asked for the next item before that.
pub fn paced<'a, T: Send + 'a>(stream: impl Stream<Item = T> + Send + 'a, room: Arc<Semaphore>) -> BoxStream<'a, T> {
    stream
        .then(move |item| {
            let room = room.clone();
            async move {
                // Waiting for a place (in turn with the handlers), not keeping it: the
                // update takes its own place when its handling starts.
                let _free = room.acquire().await;
                item
            }
        })
        .boxed()
}

impl<'a, L> AsUpdateStream<'a> for Paced<L>
where
    L: AsUpdateStream<'a>,
    L::StreamErr: Send + 'a,
{
    type StreamErr = L::StreamErr;
    type Stream = BoxStream<'a, Result<Update, L::StreamErr>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        paced(self.inner.as_stream(), self.room.clone())
    }
}

impl<L> UpdateListener for Paced<L>
where
    L: UpdateListener,
    for<'a> <L as AsUpdateStream<'a>>::StreamErr: Send + 'a,
{
    type Err = <L as UpdateListener>::Err;

    fn stop_token(&mut self) -> StopToken {
        self.inner.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.inner.hint_allowed_updates(hint)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn nothing_more_is_taken_from_telegram_while_the_bot_has_no_room() {
        let room = Arc::new(Semaphore::new(1));
        let pulled = Arc::new(AtomicUsize::new(0));
        let counted = pulled.clone();
        let source = futures::stream::iter(0..10).inspect(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let mut updates = paced(source, room.clone());
        assert_eq!(updates.next().await, Some(0), "with room, an update goes on at once");
        // The handler of update 0 takes the only place.
        let busy = room.clone().acquire_owned().await.unwrap();
        let waiting = tokio::time::timeout(std::time::Duration::from_secs(60), updates.next()).await;
        assert!(waiting.is_err(), "no room: nothing is handed on");
        assert_eq!(pulled.load(Ordering::SeqCst), 2, "and nothing more is asked for than the one in hand");
        drop(busy);
        assert_eq!(updates.next().await, Some(1), "the waiting update goes on once there is room");
        assert_eq!(updates.next().await, Some(2));
    }
}
