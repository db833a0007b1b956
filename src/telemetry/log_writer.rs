//! Log lines reach stderr in batches. The gateway writes an info line per GraphQL operation, and
//! writing each to unbuffered stderr cost a `write` system call per request: 3.5% of a cold
//! request's CPU in a profile (README, "Benchmarks"). Lines are appended to a buffer instead and
//! written out together by a flusher thread at most [`FLUSH_DELAY`] later, or at once when the
//! buffer is full or the line is a warning or an error (those must not wait, nor be lost if the
//! process dies right after). Order is kept: one lock covers taking the buffer and writing it.
//!
//! Idle, the flusher sleeps until a line arrives; busy, it wakes once per batch, not per line.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait in the buffer.
const FLUSH_DELAY: Duration = Duration::from_millis(50);
/// A buffer this full is written out by the line that filled it.
const FLUSH_AT: usize = 64 * 1024;

/// The shared buffer in front of a sink (stderr, or a test's `Vec`).
pub(crate) struct BatchedWriter<W: Write + Send + 'static> {
    shared: Arc<Shared<W>>,
}

struct Shared<W> {
    /// Lines not yet written.
    pending: Mutex<Vec<u8>>,
    /// Wakes the flusher when the buffer goes from empty to not empty.
    arrived: Condvar,
    /// The sink; held while a batch is taken and written, so batches cannot overtake each other.
    sink: Mutex<W>,
    /// Whether the flusher thread runs.
    flusher: AtomicBool,
}

impl<W: Write + Send + 'static> BatchedWriter<W> {
    /// Starts the flusher thread for `sink`. The returned guard writes out what is left when
    /// dropped (keep it until the process ends).
    pub(crate) fn start(sink: W) -> (Self, FlushOnDrop) {
        let shared = Arc::new(Shared {
            pending: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            sink: Mutex::new(sink),
            flusher: AtomicBool::new(false),
        });
        let flusher = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("log-flush".into())
            .spawn(move || flusher.run());
        match spawned {
            Ok(_) => shared.flusher.store(true, Ordering::Release),
            // Without the thread, every line writes itself out (see `Line::drop`).
            Err(e) => eprintln!("log lines will be written one by one: {e}"),
        }
        let guard = FlushOnDrop(shared.clone());
        (Self { shared }, guard)
    }
}

impl<W: Write + Send + 'static> Shared<W> {
    fn pending(&self) -> MutexGuard<'_, Vec<u8>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes out everything buffered so far.
    fn flush(&self) {
        let sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        self.write_out(sink);
    }

    fn write_out(&self, mut sink: MutexGuard<'_, W>) {
        let batch = std::mem::take(&mut *self.pending());
        if !batch.is_empty() {
            // Nowhere to report a failed write to stderr; the lines are dropped as eprintln! would.
            let _ = sink.write_all(&batch);
            let _ = sink.flush();
        }
    }

    /// The flusher: waits for a first line, lets the batch grow for [`FLUSH_DELAY`], writes it.
    fn run(&self) {
        loop {
            {
                let mut pending = self.pending();
                while pending.is_empty() {
                    pending = self
                        .arrived
                        .wait(pending)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
            std::thread::sleep(FLUSH_DELAY);
            self.flush();
        }
    }
}

impl<'a, W: Write + Send + 'static> MakeWriter<'a> for BatchedWriter<W> {
    type Writer = Line<'a, W>;

    fn make_writer(&'a self) -> Self::Writer {
        Line {
            shared: &self.shared,
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        Line {
            shared: &self.shared,
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

/// One event's line: appended to the buffer, written out at once when urgent.
pub(crate) struct Line<'a, W: Write + Send + 'static> {
    shared: &'a Arc<Shared<W>>,
    urgent: bool,
}

impl<W: Write + Send + 'static> Write for Line<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let full = {
            let mut pending = self.shared.pending();
            if pending.is_empty() {
                self.shared.arrived.notify_one();
            }
            pending.extend_from_slice(bytes);
            pending.len() >= FLUSH_AT
        };
        if full {
            self.shared.flush();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send + 'static> Drop for Line<'_, W> {
    fn drop(&mut self) {
        if self.urgent || !self.shared.flusher.load(Ordering::Acquire) {
            self.shared.flush();
        }
    }
}

/// What the guard and the panic hook need of a [`BatchedWriter`], whatever its sink.
pub(crate) trait Flush: Send + Sync {
    /// Writes out the buffered lines.
    fn flush(&self);
    /// The same, unless the sink is busy (a panic hook must not wait on a lock its thread holds).
    fn try_flush(&self);
}

impl<W: Write + Send + 'static> Flush for Shared<W> {
    fn flush(&self) {
        Shared::flush(self);
    }

    fn try_flush(&self) {
        if let Ok(sink) = self.sink.try_lock() {
            self.write_out(sink);
        }
    }
}

/// Writes out the buffered lines when dropped: keep it until the end of `main`.
pub(crate) struct FlushOnDrop(Arc<dyn Flush>);

impl FlushOnDrop {
    /// Makes a panic's message come after the lines logged before it: the default hook writes
    /// to stderr directly.
    pub(crate) fn flush_before_panics(&self) {
        let flush = self.0.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            flush.try_flush();
            previous(info);
        }));
    }
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.0.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A sink the test can read while the writer holds it.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("sink").clone()).expect("utf-8")
        }
    }

    fn line(writer: &BatchedWriter<Sink>, level: Level, text: &str) {
        let mut line = Line {
            shared: &writer.shared,
            urgent: level <= Level::WARN,
        };
        line.write_all(text.as_bytes()).expect("buffered");
    }

    #[test]
    fn should_write_info_lines_in_order_without_being_asked() {
        let sink = Sink::default();
        let (writer, _guard) = BatchedWriter::start(sink.clone());
        line(&writer, Level::INFO, "one\n");
        line(&writer, Level::INFO, "two\n");
        let deadline = Instant::now() + Duration::from_secs(5);
        while sink.text().is_empty() {
            assert!(Instant::now() < deadline, "the flusher never wrote");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.text(), "one\ntwo\n");
    }

    #[test]
    fn should_write_a_warning_at_once_after_the_lines_before_it() {
        let sink = Sink::default();
        let (writer, _guard) = BatchedWriter::start(sink.clone());
        line(&writer, Level::INFO, "before\n");
        line(&writer, Level::WARN, "warning\n");
        assert_eq!(sink.text(), "before\nwarning\n");
    }

    #[test]
    fn should_write_what_is_left_when_the_guard_drops() {
        let sink = Sink::default();
        let (writer, guard) = BatchedWriter::start(sink.clone());
        line(&writer, Level::INFO, "last words\n");
        drop(guard);
        assert_eq!(sink.text(), "last words\n");
    }

    #[test]
    fn should_write_a_full_buffer_without_waiting() {
        let sink = Sink::default();
        let (writer, _guard) = BatchedWriter::start(sink.clone());
        let long = "x".repeat(FLUSH_AT);
        line(&writer, Level::INFO, &long);
        assert_eq!(sink.text().len(), FLUSH_AT);
    }
}
