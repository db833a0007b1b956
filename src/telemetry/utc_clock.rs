//! The text log's timestamp, as tracing-subscriber's `SystemTime` writes it
//! (`2026-12-07T17:35:13.307383Z`), with the date and time of day worked out once per second.
//!
//! The default converts the Unix time to a calendar date and formats seven numbers through
//! `write!` for every line: about 2,300 instructions of the one line per GraphQL operation. Lines
//! come many per second, so each thread keeps the text of the last second it wrote and adds only
//! the microseconds.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// UTC with microseconds, as `tracing_subscriber::fmt::time::SystemTime` writes it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct UtcClock;

thread_local! {
    /// The second last written on this thread, and its text up to the seconds.
    static LAST_SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl FormatTime for UtcClock {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => write_timestamp(w, since.as_secs(), since.subsec_micros()),
            // A clock before 1970: the default's own (signed) arithmetic.
            Err(_) => tracing_subscriber::fmt::time::SystemTime.format_time(w),
        }
    }
}

/// Writes `YYYY-MM-DDTHH:MM:SS.ffffffZ` for `secs` after the epoch plus `micros`.
fn write_timestamp(w: &mut impl fmt::Write, secs: u64, micros: u32) -> fmt::Result {
    LAST_SECOND.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != secs {
            last.1.clear();
            write_second(&mut last.1, secs)?;
            last.0 = secs;
        }
        w.write_str(&last.1)
    })?;
    // Six digits with leading zeros: the seventh, a 1, is left off.
    let mut digits = itoa::Buffer::new();
    let padded = digits.format(1_000_000 + micros.min(999_999));
    w.write_char('.')?;
    w.write_str(&padded[1..])?;
    w.write_char('Z')
}

/// The date and time of day of `secs` after the epoch, to the second.
fn write_second(out: &mut String, secs: u64) -> fmt::Result {
    let days = (secs / 86_400) as i64;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    if year > 9999 {
        write!(out, "+{year}")?;
    } else {
        write!(out, "{year:04}")?;
    }
    write!(
        out,
        "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn ours(secs: u64, micros: u32) -> String {
        let mut out = String::new();
        write_timestamp(&mut out, secs, micros).unwrap();
        out
    }

    fn chrono_says(secs: u64, micros: u32) -> String {
        DateTime::<Utc>::from_timestamp(secs as i64, micros * 1000)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
    }

    #[test]
    fn should_write_the_same_text_as_a_calendar_for_any_second() {
        // Leap days, century rules (2000 is a leap year, 2100 is not), year and month ends, and a
        // second written twice in a row (the kept text) then an earlier one.
        let mut seconds = vec![
            0,
            59,
            86_399,
            951_782_400,   // 2000-02-29
            951_868_799,   // 2000-02-29T23:59:59
            1_709_164_800, // 2024-02-29
            1_798_761_599, // 2026-12-31T23:59:59
            1_798_761_600, // 2027-01-01
            1_798_761_600,
            4_107_542_400,   // 2100-03-01
            4_107_455_999,   // 2100-02-28T23:59:59
            253_402_300_799, // 9999-12-31T23:59:59
        ];
        seconds.extend((0..2_000).map(|i| 1_790_000_000 + i * 7_919 * 13));
        for (i, secs) in seconds.into_iter().enumerate() {
            let micros = (i as u32 * 104_729) % 1_000_000;
            assert_eq!(ours(secs, micros), chrono_says(secs, micros), "at {secs}");
        }
        assert_eq!(ours(1_796_665_313, 7), "2026-12-07T17:41:53.000007Z");
    }

    #[test]
    fn should_write_what_tracing_subscribers_clock_writes_now() {
        // The same second in both (retried if a second boundary falls between the readings).
        for _ in 0..5 {
            let mut default = String::new();
            tracing_subscriber::fmt::time::SystemTime
                .format_time(&mut Writer::new(&mut default))
                .unwrap();
            let mut mine = String::new();
            UtcClock.format_time(&mut Writer::new(&mut mine)).unwrap();
            if default[..19] == mine[..19] {
                assert_eq!(default.len(), mine.len(), "{default} / {mine}");
                assert!(mine.ends_with('Z') && mine.as_bytes()[19] == b'.', "{mine}");
                return;
            }
        }
        panic!("the seconds never matched");
    }
}
