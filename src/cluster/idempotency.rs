//! Idempotency keys in Redis, so that a retry sent to another replica finds the first attempt.
//!
//! One string per (kind of create, tenant hash, hash of the idempotency key), holding a small JSON
//! record: the input's fingerprint (a keyed hash, see `services::idempotency`) and either who is
//! running the create (`pending`, with a TTL that covers it), the ids of what it created (`done`,
//! kept 24 h) or the code of the error it ended with (`failed`). Never a PIN, never an API key: a
//! replica that finds `done` reads the codes again from Seam with its caller's key.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys;
use super::link::{RedisLink, Unreachable};

/// How long a finished create's record is kept (as long as the in-process one).
const KEPT: Duration = Duration::from_secs(24 * 3600);

/// Replaces the record with `ARGV[2]` (kept `ARGV[3]` ms), or deletes it when `ARGV[2]` is empty,
/// if it is still this attempt's claim (`ARGV[1]`): a claim that lapsed belongs to another attempt.
const SETTLE: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1";

/// Extends the claim `ARGV[1]` by `ARGV[2]` ms, if it is still this attempt's.
const EXTEND: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])";

/// What a create left behind: the ids to read its result again with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Receipt {
    /// The codes created, in the order the create returned them.
    pub(crate) ids: Vec<String>,
    /// Seam's action attempt for the create, if it returned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) action_attempt_id: Option<String>,
}

/// One idempotency key's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(crate) enum Record {
    /// A replica is running the create; `claim` tells its attempts apart.
    Pending { fingerprint: String, claim: String },
    Done {
        fingerprint: String,
        #[serde(flatten)]
        receipt: Receipt,
    },
    /// The create failed in a way a retry must not undo (Seam may have acted): its error's code.
    Failed { fingerprint: String, code: String },
}

impl Record {
    pub(crate) fn fingerprint(&self) -> &str {
        match self {
            Record::Pending { fingerprint, .. }
            | Record::Done { fingerprint, .. }
            | Record::Failed { fingerprint, .. } => fingerprint,
        }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a record serializes")
    }
}

/// The outcome of trying to claim a key.
#[derive(Debug)]
pub(crate) enum Claim {
    /// This attempt holds the key and runs the create; settle it with this claim.
    Won(Won),
    /// Some attempt had it first; its record.
    Taken(Record),
}

/// A claim this attempt holds.
#[derive(Debug)]
pub(crate) struct Won {
    key: String,
    /// The record as claimed, compared before it is replaced.
    pending: String,
    fingerprint: String,
}

/// The keyed creates of one kind (`access-code`, `linked`), shared by every replica.
#[derive(Clone)]
pub(crate) struct RedisIdempotency {
    link: RedisLink,
    kind: &'static str,
}

impl RedisIdempotency {
    pub(crate) fn new(link: RedisLink, kind: &'static str) -> Self {
        Self { link, kind }
    }

    fn key(&self, tenant: &str, idempotency_key: &str) -> String {
        // Hashed: a client's key may be long or odd; the record needs only to be found again.
        let digest = Sha256::digest(idempotency_key.as_bytes());
        let hash: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        keys::idempotency(self.kind, tenant, &hash)
    }

    /// Claims the key for an attempt with this input (`SET NX PX ... GET`: one round trip), for
    /// `hold` at most; or the record of whoever had it first.
    pub(crate) async fn claim(
        &self,
        tenant: &str,
        idempotency_key: &str,
        fingerprint: &str,
        hold: Duration,
    ) -> Result<Claim, Unreachable> {
        let key = self.key(tenant, idempotency_key);
        let pending = Record::Pending {
            fingerprint: fingerprint.to_owned(),
            claim: uuid::Uuid::new_v4().to_string(),
        }
        .encode();
        let mut set = redis::cmd("SET");
        set.arg(&key)
            .arg(&pending)
            .arg("NX")
            .arg("PX")
            .arg(hold.as_millis().max(1) as u64)
            .arg("GET");
        match self.link.query::<Option<String>>(&set).await? {
            None => Ok(Claim::Won(Won {
                key,
                pending,
                fingerprint: fingerprint.to_owned(),
            })),
            Some(previous) => Ok(Claim::Taken(decode(&previous)?)),
        }
    }

    /// The key's record, if any.
    pub(crate) async fn read(
        &self,
        tenant: &str,
        idempotency_key: &str,
    ) -> Result<Option<Record>, Unreachable> {
        let found: Option<String> = self
            .link
            .query(redis::cmd("GET").arg(self.key(tenant, idempotency_key)))
            .await?;
        found.as_deref().map(decode).transpose()
    }

    /// Keeps the claim for another `hold`, while its create still runs.
    pub(crate) async fn extend(&self, won: &Won, hold: Duration) {
        let mut eval = redis::cmd("EVAL");
        eval.arg(EXTEND)
            .arg(1)
            .arg(&won.key)
            .arg(&won.pending)
            .arg(hold.as_millis().max(1) as u64);
        let _ = self.link.query::<i64>(&eval).await;
    }

    /// Records what the claimed create made, for retries on any replica.
    pub(crate) async fn succeeded(&self, won: &Won, receipt: Receipt) {
        let done = Record::Done {
            fingerprint: won.fingerprint.clone(),
            receipt,
        };
        self.settle(won, &done.encode()).await;
    }

    /// Records that the claimed create failed with `code`, so retries get the same answer.
    pub(crate) async fn failed(&self, won: &Won, code: &str) {
        let failed = Record::Failed {
            fingerprint: won.fingerprint.clone(),
            code: code.to_owned(),
        };
        self.settle(won, &failed.encode()).await;
    }

    /// Frees the key: the create most likely did nothing, so a retry anywhere runs it.
    pub(crate) async fn free(&self, won: &Won) {
        self.settle(won, "").await;
    }

    async fn settle(&self, won: &Won, record: &str) {
        let mut eval = redis::cmd("EVAL");
        eval.arg(SETTLE)
            .arg(1)
            .arg(&won.key)
            .arg(&won.pending)
            .arg(record)
            .arg(KEPT.as_millis() as u64);
        match self.link.query::<i64>(&eval).await {
            Ok(0) => {
                tracing::warn!("an idempotency claim lapsed before its create ended; a retry may have run it again")
            }
            Ok(_) => {}
            // Redis went away: the claim lapses by itself, and retries fall back to each replica.
            Err(Unreachable) => {}
        }
    }
}

fn decode(record: &str) -> Result<Record, Unreachable> {
    serde_json::from_str(record).map_err(|e| {
        tracing::warn!(error = %e, "unreadable idempotency record in redis");
        Unreachable
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_back_every_record() {
        let records = [
            Record::Pending {
                fingerprint: "f".into(),
                claim: "c".into(),
            },
            Record::Done {
                fingerprint: "f".into(),
                receipt: Receipt {
                    ids: vec!["a".into(), "b".into()],
                    action_attempt_id: Some("aa".into()),
                },
            },
            Record::Failed {
                fingerprint: "f".into(),
                code: "UPSTREAM_TIMEOUT".into(),
            },
        ];
        for record in records {
            assert_eq!(decode(&record.encode()).expect("decodes"), record);
        }
    }
}
