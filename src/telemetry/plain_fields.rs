//! The text log's fields, written as tracing-subscriber's `DefaultFields` writes them with colours
//! off, without its per-field detours.
//!
//! With colours off, `DefaultFields` still writes every field name through a `nu_ansi_term` style
//! (an empty one) and every value through `{:?}`: about 10,000 instructions for the one info line
//! each GraphQL operation writes, 6% of a cold `device(id)` request (issue 14's callgrind profile).
//! Here a name is written as it is, and the values a log line mostly holds (plain strings, integers,
//! booleans) without the formatting machinery. Whatever is not plain (the message, strings that
//! need escaping, errors, `r#` and `log.` names) goes to `DefaultVisitor` itself, so the text is
//! the same byte for byte (the tests below compare the two). With colours on (a terminal), the
//! default is used as it is.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};

/// `DefaultFields` with colours off, faster.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PlainFields;

impl<'a> MakeVisitor<Writer<'a>> for PlainFields {
    type Visitor = PlainVisitor<'a>;

    fn make_visitor(&self, target: Writer<'a>) -> Self::Visitor {
        PlainVisitor {
            writer: target,
            is_empty: true,
            result: Ok(()),
        }
    }
}

/// Writes `name=value` pairs separated by spaces, as `DefaultVisitor` does.
pub(super) struct PlainVisitor<'a> {
    writer: Writer<'a>,
    /// Nothing written yet: the next field needs no separating space.
    is_empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Whether this visitor writes the field itself; the others go to `DefaultVisitor`.
    fn owns(&self, field: &Field) -> bool {
        let name = field.name();
        self.result.is_ok()
            && name != "message"
            && !name.starts_with("r#")
            && !name.starts_with("log.")
    }

    /// Writes `name=` (after a space unless first), then the value by `value`.
    fn write_pair(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let first = std::mem::replace(&mut self.is_empty, false);
        self.result = write_pair(&mut self.writer, first, field.name(), value);
    }

    /// A field `DefaultVisitor` writes: it pads and writes as it always does.
    fn record_debug_default(&mut self, field: &Field, visit: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if self.result.is_err() {
            return;
        }
        let mut default = DefaultVisitor::new(self.writer.by_ref(), self.is_empty);
        visit(&mut default);
        self.result = default.finish();
        // It skips `log.` fields without writing (nor padding); any other field was written.
        if !field.name().starts_with("log.") {
            self.is_empty = false;
        }
    }
}

fn write_pair(
    writer: &mut Writer<'_>,
    first: bool,
    name: &str,
    value: impl FnOnce(&mut Writer<'_>) -> fmt::Result,
) -> fmt::Result {
    if !first {
        writer.write_char(' ')?;
    }
    writer.write_str(name)?;
    writer.write_char('=')?;
    value(writer)
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // `{:?}` of a string escapes nothing in printable ASCII but `"` and `\`.
        let plain = value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if plain && self.owns(field) {
            self.write_pair(field, |w| {
                w.write_char('"')?;
                w.write_str(value)?;
                w.write_char('"')
            });
        } else {
            self.record_debug_default(field, |d| d.record_str(field, value));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.owns(field) {
            self.write_pair(field, |w| w.write_str(itoa::Buffer::new().format(value)));
        } else {
            self.record_debug_default(field, |d| d.record_u64(field, value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.owns(field) {
            self.write_pair(field, |w| w.write_str(itoa::Buffer::new().format(value)));
        } else {
            self.record_debug_default(field, |d| d.record_i64(field, value));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.owns(field) {
            self.write_pair(field, |w| w.write_str(if value { "true" } else { "false" }));
        } else {
            self.record_debug_default(field, |d| d.record_bool(field, value));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.record_debug_default(field, |d| d.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.owns(field) {
            self.write_pair(field, |w| write!(w, "{value:?}"));
        } else {
            self.record_debug_default(field, |d| d.record_debug(field, value));
        }
    }
}

impl VisitOutput<fmt::Result> for PlainVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for PlainVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::format::DefaultFields;
    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[derive(Debug)]
    struct Failure(&'static str, Option<Box<Failure>>);
    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Failure {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    /// Every kind of field the gateway logs, and the awkward ones, in spans and events.
    fn log_everything() {
        let error = Failure("outer \u{1b}[31m", Some(Box::new(Failure("inner", None))));
        let span = tracing::info_span!("request", id = "abc", n = 3u64, quoted = "a \"b\"");
        let _entered = span.enter();
        tracing::info!(
            operation_type = "query",
            operation_name = "-",
            duration_ms = 1.6632559999999998,
            whole = 2.0f64,
            outcome = "ok",
            error_codes = %"",
            upstream_calls = 1u64,
            signed = -42i64,
            big = u64::MAX,
            flag = true,
            off = false,
            tenant = %"6b8d474a4bdbfc4b",
            debug = ?Some("x"),
            tab = "a\tb",
            newline = "a\nb",
            quote = "say \"hi\"",
            backslash = "a\\b",
            del = "\u{7f}",
            unicode = "é ✓",
            ansi = "\u{1b}[0m",
            empty = "",
            r#type = "raw",
            error = &error as &(dyn std::error::Error + 'static),
            "graphql operation {}", "\u{1b}[2Jwith args"
        );
        tracing::warn!("only a message");
        tracing::info!(a = 1u64, "");
        span.record("n", 4u64);
        tracing::info!(after = "record");
        tracing::error!(error = &error as &(dyn std::error::Error + 'static));
    }

    fn render<N>(fields: N) -> String
    where
        N: for<'w> tracing_subscriber::fmt::FormatFields<'w> + Send + Sync + 'static,
    {
        let out = Lines::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_target(false)
                .without_time()
                .fmt_fields(fields)
                .with_writer(out.clone()),
        );
        tracing::subscriber::with_default(subscriber, log_everything);
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn should_write_every_field_exactly_as_the_default_fields_do() {
        let ours = render(PlainFields);
        let default = render(DefaultFields::new());
        assert_eq!(ours, default);
        // The comparison means something only if the awkward cases were written at all.
        assert!(ours.contains("upstream_calls=1 signed=-42"), "{ours}");
        assert!(ours.contains("tab=\"a\\tb\" newline=\"a\\nb\""), "{ours}");
        assert!(ours.contains("request{id=\"abc\" n=3"), "{ours}");
        assert_eq!(ours.lines().count(), 5, "{ours}");
    }
}
