//! Where an access code is in its life on the lock, as one typed value from the wire up.
//!
//! Seam may add statuses; a string this gateway does not know reads as [`CodeStatus::Unknown`]
//! instead of failing the whole response, and so does a missing status.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An access code's status (`unset`, `setting`, `set`, `removing` on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CodeStatus {
    /// Not on the lock: a time-bound code before its window, or not yet programmed.
    Unset,
    /// Being programmed onto the lock.
    Setting,
    /// On the lock: the PIN works.
    Set,
    /// Being removed from the lock.
    Removing,
    /// Seam cannot tell, or sent a status this gateway does not know (or none).
    #[default]
    Unknown,
}

impl CodeStatus {
    /// Reads Seam's wire string; anything unrecognised is `Unknown`.
    pub fn from_wire(s: &str) -> Self {
        match s {
            "unset" => Self::Unset,
            "setting" => Self::Setting,
            "set" => Self::Set,
            "removing" => Self::Removing,
            _ => Self::Unknown,
        }
    }

    /// Seam's wire string for this status (`unknown` for [`CodeStatus::Unknown`]).
    pub fn as_wire(self) -> &'static str {
        match self {
            Self::Unset => "unset",
            Self::Setting => "setting",
            Self::Set => "set",
            Self::Removing => "removing",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for CodeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_wire())
    }
}

/// Reads a JSON string, as a `String` field would (so `null` or a number still fails to
/// deserialize), then maps it leniently.
impl<'de> Deserialize<'de> for CodeStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = String::deserialize(deserializer)?;
        Ok(Self::from_wire(&wire))
    }
}

/// Written as Seam's wire string, so that what is written reads back the same.
impl Serialize for CodeStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_wire())
    }
}

#[cfg(test)]
mod tests {
    use super::CodeStatus;

    #[test]
    fn should_read_known_statuses_and_map_anything_else_to_unknown() {
        let read = |json: &str| serde_json::from_str::<CodeStatus>(json).ok();
        assert_eq!(read(r#""setting""#), Some(CodeStatus::Setting));
        assert_eq!(read(r#""removing""#), Some(CodeStatus::Removing));
        assert_eq!(read(r#""suspended""#), Some(CodeStatus::Unknown));
        assert_eq!(read(r#""""#), Some(CodeStatus::Unknown));
        assert_eq!(read("null"), None);
        for status in [
            CodeStatus::Unset,
            CodeStatus::Setting,
            CodeStatus::Set,
            CodeStatus::Removing,
            CodeStatus::Unknown,
        ] {
            assert_eq!(CodeStatus::from_wire(status.as_wire()), status);
        }
    }
}
