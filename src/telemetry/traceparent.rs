//! W3C Trace Context (`traceparent`): read from an incoming request, written on each call to Seam so
//! that Seam's side of a request joins the caller's trace.

use std::fmt::Write;

/// A parsed `traceparent`: version 00, a trace id, the caller's span id and the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: [u8; 16],
    pub parent_id: [u8; 8],
    pub flags: u8,
}

impl TraceParent {
    /// `00-<32 hex>-<16 hex>-<2 hex>`, lower case, ids not all zero. Future versions are read by
    /// their first four fields, as the spec asks; anything else is ignored (a fresh trace starts).
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let mut parts = header.split('-');
        let version = parts.next()?;
        let (trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?);
        if version.len() != 2 || version == "ff" || (version == "00" && parts.next().is_some()) {
            return None;
        }
        let mut trace_id = [0u8; 16];
        let mut parent_id = [0u8; 8];
        let mut flag = [0u8; 1];
        hex_into(version, &mut [0u8; 1])?;
        hex_into(trace, &mut trace_id)?;
        hex_into(parent, &mut parent_id)?;
        hex_into(flags, &mut flag)?;
        if trace_id == [0; 16] || parent_id == [0; 8] {
            return None;
        }
        Some(Self {
            trace_id,
            parent_id,
            flags: flag[0],
        })
    }

    /// The header for a call made from span `span_id` of this trace.
    pub fn child_header(&self, span_id: [u8; 8]) -> String {
        format_header(&self.trace_id, &span_id, self.flags)
    }

    /// The trace id as 32 hex digits (for log lines).
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }
}

/// `00-<trace id>-<span id>-<flags>`.
pub(super) fn format_header(trace_id: &[u8; 16], span_id: &[u8; 8], flags: u8) -> String {
    let mut out = String::with_capacity(55);
    let _ = write!(out, "00-{}-{}-{flags:02x}", hex(trace_id), hex(span_id));
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Lower-case hex of exactly `out.len()` bytes.
fn hex_into(text: &str, out: &mut [u8]) -> Option<()> {
    if text.len() != out.len() * 2 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn should_read_the_spec_example_and_write_a_child_of_it() {
        let tp = TraceParent::parse(EXAMPLE).expect("valid");
        assert_eq!(tp.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(tp.flags, 1);
        assert_eq!(
            tp.child_header([1, 2, 3, 4, 5, 6, 7, 8]),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0102030405060708-01"
        );
    }

    #[test]
    fn must_refuse_malformed_or_zero_ids() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(TraceParent::parse(bad), None, "{bad}");
        }
        assert!(TraceParent::parse(&format!("01{}-extra", &EXAMPLE[2..])).is_some());
    }
}
