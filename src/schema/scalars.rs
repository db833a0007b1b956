//! The `DateTime` scalar: ISO 8601 / RFC 3339 in, UTC with milliseconds out.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{SecondsFormat, Utc};

/// A point in time, ISO 8601 (RFC 3339). Input may carry any offset (`2030-04-01T10:00:00-05:00`);
/// output is always UTC with milliseconds (`2030-04-01T15:00:00.000Z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct DateTime(pub chrono::DateTime<Utc>);

/// A point in time, ISO 8601 (RFC 3339): any offset on input, UTC with milliseconds on output.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| DateTime(t.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "`{s}` is not an ISO 8601 timestamp; use e.g. 2030-01-01T15:00:00Z"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}
