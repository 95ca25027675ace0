//! What one event stream's client has not read yet, bounded in bytes. A client
//! that stops reading is let go once its backlog would pass the bound, and
//! every byte held for it is released at that moment, not when it hangs up.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use prometheus::IntGauge;
use tokio::sync::Notify;

/// Bytes a stream may fall behind by. A frame is a webhook body (a few KB at
/// most with a long text); a single frame larger than this still goes to a
/// client that is keeping up.
pub const MAX_BACKLOG_BYTES: usize = 1024 * 1024;

/// The last words of a stream that fell too far behind: an SSE comment, so a
/// client that only reads events sees the stream end and reconnects.
pub const LOST_FRAMES: &[u8] = b": frames lost: this client read too slowly; reconnect\n\n";

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// Let go for reading too slowly; the notice is still to be told.
    Overflowed,
    /// The notice was told, or the client hung up.
    Ended,
}

struct Queue {
    frames: VecDeque<Bytes>,
    bytes: usize,
    state: State,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Notify,
    /// Bytes held for every stream of the server (`wamux_event_stream_backlog_bytes`).
    held: IntGauge,
    /// Streams open (`wamux_event_streams`).
    open: IntGauge,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release(&self, queue: &mut Queue) {
        self.held.sub(gauge_value(queue.bytes));
        queue.frames = VecDeque::new();
        queue.bytes = 0;
    }
}

fn gauge_value(bytes: usize) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

/// The actor's end of a stream; clones feed the same stream (a user-wide stream
/// is fed by each of its instances).
#[derive(Clone)]
pub struct Feed(Arc<Shared>);

/// The HTTP response's end: frames in order, then the end.
pub struct Frames(Arc<Shared>);

/// A new stream's two ends.
pub fn stream(held: IntGauge, open: IntGauge) -> (Feed, Frames) {
    open.inc();
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue {
            frames: VecDeque::new(),
            bytes: 0,
            state: State::Open,
        }),
        ready: Notify::new(),
        held,
        open,
    });
    (Feed(shared.clone()), Frames(shared))
}

impl Feed {
    /// Queues a frame; `false` once the stream is over (the client hung up or
    /// fell too far behind), when this feed should be dropped.
    pub fn push(&self, frame: &Bytes) -> bool {
        let mut queue = self.0.queue();
        if queue.state != State::Open {
            return false;
        }
        if queue.bytes > 0 && queue.bytes + frame.len() > MAX_BACKLOG_BYTES {
            self.0.release(&mut queue);
            queue.state = State::Overflowed;
            // No longer a stream taking events, whether or not its client
            // reads the last words.
            self.0.open.dec();
            drop(queue);
            self.0.ready.notify_one();
            return false;
        }
        queue.bytes += frame.len();
        queue.frames.push_back(frame.clone());
        self.0.held.add(gauge_value(frame.len()));
        drop(queue);
        self.0.ready.notify_one();
        true
    }

    pub fn is_open(&self) -> bool {
        self.0.queue().state == State::Open
    }
}

impl Frames {
    /// The next frame, waiting for one; `None` once the stream is over.
    pub async fn next(&self) -> Option<Bytes> {
        loop {
            {
                let mut queue = self.0.queue();
                if let Some(frame) = queue.frames.pop_front() {
                    queue.bytes -= frame.len();
                    self.0.held.sub(gauge_value(frame.len()));
                    return Some(frame);
                }
                match queue.state {
                    State::Open => {}
                    State::Overflowed => {
                        queue.state = State::Ended;
                        return Some(Bytes::from_static(LOST_FRAMES));
                    }
                    State::Ended => return None,
                }
            }
            // A frame pushed between the check and here left a permit: no loss.
            self.0.ready.notified().await;
        }
    }
}

/// The client hung up (the response was dropped): its slot and bytes go now.
impl Drop for Frames {
    fn drop(&mut self) {
        let mut queue = self.0.queue();
        self.0.release(&mut queue);
        if queue.state == State::Open {
            self.0.open.dec();
        }
        queue.state = State::Ended;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn gauges() -> (IntGauge, IntGauge) {
        let held = IntGauge::new("held", "held").unwrap();
        let open = IntGauge::new("open", "open").unwrap();
        (held, open)
    }

    #[tokio::test]
    async fn a_reader_that_keeps_up_gets_every_frame_in_order() {
        let (held, open) = gauges();
        let (feed, frames) = stream(held.clone(), open.clone());
        for n in 0..1000 {
            assert!(feed.push(&Bytes::from(format!("frame {n}\n\n"))));
            assert_eq!(frames.next().await.unwrap(), format!("frame {n}\n\n"));
        }
        assert_eq!(held.get(), 0);
        assert_eq!(open.get(), 1);
        drop(frames);
        assert_eq!(open.get(), 0);
        assert!(
            !feed.push(&Bytes::from_static(b"x")),
            "a hung-up stream takes nothing"
        );
    }

    #[tokio::test]
    async fn a_slow_reader_is_let_go_at_the_bound_and_its_bytes_released_at_once() {
        let (held, open) = gauges();
        let (feed, frames) = stream(held.clone(), open.clone());
        let frame = Bytes::from(vec![b'x'; 64 * 1024]);
        let mut pushed = 0;
        while feed.push(&frame) {
            pushed += 1;
            assert!(held.get() <= gauge_value(MAX_BACKLOG_BYTES));
        }
        assert_eq!(pushed, MAX_BACKLOG_BYTES / frame.len());
        assert_eq!(
            held.get(),
            0,
            "released when let go, not when the client leaves"
        );
        assert_eq!(open.get(), 0);
        assert!(!feed.is_open());
        assert_eq!(frames.next().await.unwrap(), LOST_FRAMES);
        assert_eq!(frames.next().await, None);
        drop(frames);
        assert_eq!(open.get(), 0, "counted once");
    }

    #[tokio::test]
    async fn one_frame_larger_than_the_bound_reaches_a_reader_that_keeps_up() {
        let (held, open) = gauges();
        let (feed, frames) = stream(held, open);
        let big = Bytes::from(vec![b'y'; MAX_BACKLOG_BYTES * 2]);
        assert!(feed.push(&big));
        assert_eq!(frames.next().await.unwrap().len(), big.len());
    }

    #[tokio::test]
    async fn a_waiting_reader_wakes_for_a_frame() {
        let (held, open) = gauges();
        let (feed, frames) = stream(held, open);
        let reader = tokio::spawn(async move { frames.next().await });
        tokio::task::yield_now().await;
        assert!(feed.push(&Bytes::from_static(b"late\n\n")));
        assert_eq!(reader.await.unwrap().unwrap(), "late\n\n");
    }
}
