//! Polls only the sources that woke a task, where `tokio::select!` polls every branch on every
//! wake-up.
//!
//! A websocket session waits on five sources: shutdown, the init deadline, the keep-alive timer,
//! the socket and its operations. In fan-out, nearly every wake-up is one operation's result; with
//! `select!`, each of those also polled the socket (through axum, tungstenite, which zero-fills its
//! read buffer before each read, and hyper, down to tokio's readiness check), the timers and the
//! shutdown token, all to hear `Pending`, on every connection of every event. Here each source gets
//! a waker of its own that marks it before waking the task, and the next poll visits the marked
//! ones only.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::task::AtomicWaker;

/// The marks of the sources woken since the task last looked, and the task to wake.
#[derive(Default)]
struct Marks {
    woken: AtomicU32,
    task: AtomicWaker,
}

/// The waker a source is polled with: marks the source, then wakes the task.
struct SourceWaker {
    bit: u32,
    marks: Arc<Marks>,
}

impl Wake for SourceWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.marks.woken.fetch_or(self.bit, Ordering::AcqRel);
        self.marks.task.wake();
    }
}

/// `N` sources, numbered `0..N`, polled in turn from the one after the last that was ready, so
/// that a source that is always ready (a client sending without pause) cannot starve the others.
pub(super) struct Woken<const N: usize> {
    marks: Arc<Marks>,
    wakers: [Waker; N],
    /// Sources to poll whether or not they were woken: all of them at first, one that was ready
    /// (it may have more), those not reached because an earlier one was ready, disabled ones
    /// (polled once enabled) and any marked by [`Woken::mark_all`].
    due: u32,
    next: usize,
}

impl<const N: usize> Woken<N> {
    pub(super) fn new() -> Self {
        const { assert!(N > 0 && N <= 32) };
        let marks = Arc::new(Marks::default());
        let wakers = std::array::from_fn(|i| {
            Waker::from(Arc::new(SourceWaker {
                bit: 1 << i,
                marks: marks.clone(),
            }))
        });
        Self {
            marks,
            wakers,
            due: Self::ALL,
            next: 0,
        }
    }

    const ALL: u32 = if N == 32 { u32::MAX } else { (1 << N) - 1 };

    /// Polls every source next time: after the task changed what they wait on (a new operation
    /// to register, say), which their wakers cannot know.
    pub(super) fn mark_all(&mut self) {
        self.due = Self::ALL;
    }

    /// Polls the woken and due sources: `poll_source(i, cx)` polls source `i` with its own
    /// waker, or answers `None` if it is disabled for now. The first ready source's value is
    /// returned.
    pub(super) fn poll<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut poll_source: impl FnMut(usize, &mut Context<'_>) -> Option<Poll<T>>,
    ) -> Poll<T> {
        // Registered before the marks are taken: a source woken after that wakes the task again.
        self.marks.task.register(cx.waker());
        let mut todo = std::mem::take(&mut self.due) | self.marks.woken.swap(0, Ordering::AcqRel);
        for step in 0..N {
            let i = (self.next + step) % N;
            let bit = 1 << i;
            if todo & bit == 0 {
                continue;
            }
            let mut source_cx = Context::from_waker(&self.wakers[i]);
            match poll_source(i, &mut source_cx) {
                None => self.due |= bit,
                Some(Poll::Pending) => {}
                Some(Poll::Ready(value)) => {
                    // This one and those not reached yet are polled next time.
                    self.due |= todo;
                    self.next = (i + 1) % N;
                    return Poll::Ready(value);
                }
            }
            todo &= !bit;
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::task::Waker;

    /// Polls `woken` with sources that answer from `ready` (and record which were polled and
    /// the waker each was given).
    fn poll_all<const N: usize>(
        woken: &mut Woken<N>,
        ready: &[Option<bool>; N],
        polled: &RefCell<Vec<usize>>,
        wakers: &RefCell<Vec<Option<Waker>>>,
    ) -> Poll<usize> {
        let mut cx = Context::from_waker(Waker::noop());
        woken.poll(&mut cx, |i, source_cx| {
            polled.borrow_mut().push(i);
            wakers.borrow_mut()[i] = Some(source_cx.waker().clone());
            ready[i].map(|r| if r { Poll::Ready(i) } else { Poll::Pending })
        })
    }

    #[test]
    fn should_poll_only_the_sources_woken_since_the_last_poll() {
        let mut woken = Woken::<3>::new();
        let (polled, wakers) = (RefCell::new(vec![]), RefCell::new(vec![None, None, None]));
        let pending = [Some(false); 3];
        assert_eq!(
            poll_all(&mut woken, &pending, &polled, &wakers),
            Poll::Pending
        );
        assert_eq!(*polled.borrow(), [0, 1, 2], "all at first");
        polled.borrow_mut().clear();

        assert_eq!(
            poll_all(&mut woken, &pending, &polled, &wakers),
            Poll::Pending
        );
        assert!(polled.borrow().is_empty(), "none woken, none polled");

        wakers.borrow()[2].as_ref().unwrap().wake_by_ref();
        let ready = [Some(false), Some(false), Some(true)];
        assert_eq!(
            poll_all(&mut woken, &ready, &polled, &wakers),
            Poll::Ready(2)
        );
        assert_eq!(*polled.borrow(), [2], "only the woken one");
        polled.borrow_mut().clear();

        // Ready once: polled again without a wake, as it may have more.
        assert_eq!(
            poll_all(&mut woken, &pending, &polled, &wakers),
            Poll::Pending
        );
        assert_eq!(*polled.borrow(), [2]);
    }

    #[test]
    fn should_wake_the_task_when_a_source_is_woken() {
        struct Count(std::sync::atomic::AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(Default::default()));
        let task = Waker::from(count.clone());
        let mut woken = Woken::<2>::new();
        let mut source = None;
        let poll = woken.poll(&mut Context::from_waker(&task), |i, cx| {
            if i == 1 {
                source = Some(cx.waker().clone());
            }
            Some(Poll::<()>::Pending)
        });
        assert!(poll.is_pending());
        source.unwrap().wake();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn should_keep_a_disabled_source_due_until_it_is_polled() {
        let mut woken = Woken::<2>::new();
        let (polled, wakers) = (RefCell::new(vec![]), RefCell::new(vec![None, None]));
        let _ = poll_all(&mut woken, &[None, Some(false)], &polled, &wakers);
        polled.borrow_mut().clear();
        let _ = poll_all(&mut woken, &[Some(false), Some(false)], &polled, &wakers);
        assert_eq!(
            *polled.borrow(),
            [0],
            "enabled now, never woken, still polled"
        );
    }

    #[test]
    fn should_take_turns_among_sources_that_stay_ready() {
        let mut woken = Woken::<3>::new();
        let (polled, wakers) = (RefCell::new(vec![]), RefCell::new(vec![None, None, None]));
        let ready = [Some(true); 3];
        let firsts: Vec<_> = (0..6)
            .map(|_| poll_all(&mut woken, &ready, &polled, &wakers))
            .collect();
        assert_eq!(
            firsts,
            [0, 1, 2, 0, 1, 2].map(Poll::Ready),
            "each ready source gets its turn"
        );
    }

    #[test]
    fn should_poll_every_source_after_mark_all() {
        let mut woken = Woken::<3>::new();
        let (polled, wakers) = (RefCell::new(vec![]), RefCell::new(vec![None, None, None]));
        let pending = [Some(false); 3];
        let _ = poll_all(&mut woken, &pending, &polled, &wakers);
        polled.borrow_mut().clear();
        woken.mark_all();
        let _ = poll_all(&mut woken, &pending, &polled, &wakers);
        assert_eq!(polled.borrow().len(), 3);
    }
}
