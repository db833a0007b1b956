//! Live status across replicas, in Redis (the commands only; `events::replicas` decides when).
//!
//! Per workspace (by hash): an **inbox** stream of accepted webhook events, read only by the
//! replica holding the workspace's **lease**, which resolves each event once against Seam (it holds
//! a key of the workspace: another replica may not) and appends the result to the **changes**
//! stream, which every replica with subscribers of the workspace reads from its last id: a short
//! disconnect loses nothing within the streams' retention. **Presence** says that some replica has
//! subscribers (events for a workspace nobody listens to are not queued). Event ids are claimed
//! with `SET NX EX`, so a delivery replayed to any replica, or polled after a webhook, counts once.

use std::time::Duration;

use redis::streams::StreamReadReply;

use super::keys;
use super::link::{RedisLink, Unreachable};

/// Entries kept per stream (approximately): minutes of events for a busy workspace. A replica
/// disconnected for longer than that misses what was trimmed.
const STREAM_MAXLEN: usize = 10_000;
/// How long an event id stays claimed: longer than Seam retries a delivery.
const SEEN_TTL_SECS: u64 = 24 * 3600;
/// How long a workspace's streams and bookkeeping outlive their last write.
const STREAM_TTL_SECS: u64 = 24 * 3600;

/// If anyone listens to the workspace: claims the event id and, if new, queues the event in the
/// workspace's inbox. An event nobody listens to is not claimed: a replica whose presence has not
/// been renewed yet (Redis just came back) may still need to poll it.
const ACCEPT: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 2";

/// Refreshes this replica's presence and takes or renews the lease; 1 when it holds it.
const HOLD: &str = r"
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0";

/// Gives the lease up, if this replica holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// What became of a webhook event offered to the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// Some replica took it in before.
    Duplicate,
    /// New, but no replica has subscribers of its workspace: nothing to do.
    Unheard,
    /// New, and queued for the replica that resolves the workspace's events.
    Queued,
}

/// Which of a workspace's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    Inbox,
    Changes,
}

/// One entry read: which of the requested streams (by position), its id and its payload.
pub(crate) struct Entry {
    pub(crate) request: usize,
    pub(crate) id: String,
    pub(crate) payload: String,
}

/// The Redis side of live status for one replica.
#[derive(Clone)]
pub(crate) struct RedisLive {
    link: RedisLink,
    /// This replica's name in leases.
    replica: String,
    lease_ttl: Duration,
}

impl RedisLive {
    pub(crate) fn new(link: RedisLink, lease_ttl: Duration) -> Self {
        Self {
            link,
            replica: uuid::Uuid::new_v4().to_string(),
            lease_ttl: lease_ttl.max(Duration::from_millis(30)),
        }
    }

    pub(crate) fn link(&self) -> &RedisLink {
        &self.link
    }

    pub(crate) fn lease_ttl(&self) -> Duration {
        self.lease_ttl
    }

    /// Claims a webhook event's id and queues it (`payload`, the event's JSON) for its workspace.
    pub(crate) async fn accept(
        &self,
        workspace_id: &str,
        event_id: &str,
        payload: &str,
    ) -> Result<Accepted, Unreachable> {
        let ws = keys::workspace(workspace_id);
        let mut eval = redis::cmd("EVAL");
        eval.arg(ACCEPT)
            .arg(3)
            .arg(keys::seen(event_id))
            .arg(keys::of_workspace(&ws, "presence"))
            .arg(keys::of_workspace(&ws, "inbox"))
            .arg(SEEN_TTL_SECS)
            .arg(STREAM_MAXLEN)
            .arg(payload)
            .arg(STREAM_TTL_SECS);
        Ok(match self.link.query::<i64>(&eval).await? {
            0 => Accepted::Duplicate,
            1 => Accepted::Unheard,
            _ => Accepted::Queued,
        })
    }

    /// Claims an event id (a polled event); true the first time in the cluster.
    pub(crate) async fn claim(&self, event_id: &str) -> Result<bool, Unreachable> {
        let mut set = redis::cmd("SET");
        set.arg(keys::seen(event_id))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(SEEN_TTL_SECS);
        Ok(self.link.query::<Option<String>>(&set).await?.is_some())
    }

    /// Frees an event id that could not be queued, so that a retry is taken in.
    pub(crate) async fn unclaim(&self, event_id: &str) {
        let _ = self
            .link
            .query::<i64>(redis::cmd("DEL").arg(keys::seen(event_id)))
            .await;
    }

    /// Appends a resolved change (`payload`, carrying no PIN) to its workspace's changes stream.
    pub(crate) async fn publish(
        &self,
        workspace_id: &str,
        payload: &str,
    ) -> Result<(), Unreachable> {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "changes");
        let mut pipe = redis::pipe();
        pipe.cmd("XADD")
            .arg(&key)
            .arg("MAXLEN")
            .arg("~")
            .arg(STREAM_MAXLEN)
            .arg("*")
            .arg("c")
            .arg(payload)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(STREAM_TTL_SECS)
            .ignore();
        self.link.query::<()>(&pipe).await
    }

    /// Says this replica has subscribers of the workspace, and takes or renews its lease: true
    /// while this replica is the one that resolves its events and polls it.
    pub(crate) async fn hold(&self, workspace_id: &str) -> Result<bool, Unreachable> {
        let ws = keys::workspace(workspace_id);
        let ttl = self.lease_ttl.as_millis() as u64;
        let mut eval = redis::cmd("EVAL");
        eval.arg(HOLD)
            .arg(2)
            .arg(keys::of_workspace(&ws, "lease"))
            .arg(keys::of_workspace(&ws, "presence"))
            .arg(&self.replica)
            .arg(ttl)
            // Presence outlives a lease, so a takeover never finds it gone.
            .arg(ttl * 3);
        Ok(self.link.query::<i64>(&eval).await? == 1)
    }

    /// Gives up the workspace's lease (its last local subscriber left).
    pub(crate) async fn release(&self, workspace_id: &str) {
        let ws = keys::workspace(workspace_id);
        let mut eval = redis::cmd("EVAL");
        eval.arg(RELEASE)
            .arg(1)
            .arg(keys::of_workspace(&ws, "lease"))
            .arg(&self.replica);
        let _ = self.link.query::<i64>(&eval).await;
    }

    /// The id of the last change published for the workspace (`0-0` if none): a new reader starts
    /// after it.
    pub(crate) async fn changes_tail(&self, workspace_id: &str) -> Result<String, Unreachable> {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "changes");
        let mut rev = redis::cmd("XREVRANGE");
        rev.arg(key).arg("+").arg("-").arg("COUNT").arg(1);
        let last: redis::streams::StreamRangeReply = self.link.query(&rev).await?;
        Ok(last
            .ids
            .first()
            .map_or_else(|| "0-0".to_owned(), |e| e.id.clone()))
    }

    /// Where a new lease holder starts reading the inbox: after the last event up to which the
    /// previous holder published everything, or at the start (the inbox holds only what came
    /// while someone listened).
    pub(crate) async fn inbox_resume(&self, workspace_id: &str) -> Result<String, Unreachable> {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "inbox-done");
        let done: Option<String> = self.link.query(redis::cmd("GET").arg(key)).await?;
        Ok(done.unwrap_or_else(|| "0-0".to_owned()))
    }

    /// Records the last inbox entry up to which the lease holder has published everything.
    pub(crate) async fn inbox_done(&self, workspace_id: &str, id: &str) {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "inbox-done");
        let mut set = redis::cmd("SET");
        set.arg(key).arg(id).arg("EX").arg(STREAM_TTL_SECS);
        let _ = self.link.query::<()>(&set).await;
    }

    /// Where the workspace's polling got to (RFC 3339), for the next lease holder.
    pub(crate) async fn poll_cursor(&self, workspace_id: &str) -> Option<String> {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "poll-cursor");
        self.link.query(redis::cmd("GET").arg(key)).await.ok()?
    }

    pub(crate) async fn set_poll_cursor(&self, workspace_id: &str, cursor: &str) {
        let key = keys::of_workspace(&keys::workspace(workspace_id), "poll-cursor");
        let mut set = redis::cmd("SET");
        set.arg(key).arg(cursor).arg("EX").arg(STREAM_TTL_SECS);
        let _ = self.link.query::<()>(&set).await;
    }

    /// A reader of streams on a connection of its own (reads block).
    pub(crate) fn reader(&self) -> StreamReader {
        StreamReader {
            link: self.link.clone(),
            conn: None,
        }
    }
}

/// Reads several workspaces' streams in one blocking `XREAD`.
pub(crate) struct StreamReader {
    link: RedisLink,
    conn: Option<redis::aio::MultiplexedConnection>,
}

/// How long one read waits for news before the set of streams is looked at again.
pub(crate) const READ_BLOCK: Duration = Duration::from_millis(200);

impl StreamReader {
    /// Entries after each given id, waiting up to [`READ_BLOCK`] for the first.
    pub(crate) async fn read(
        &mut self,
        wanted: &[(String, StreamKind, String)],
    ) -> Result<Vec<Entry>, Unreachable> {
        if self.conn.is_none() {
            self.conn = Some(self.link.dedicated(READ_BLOCK).await?);
        }
        let conn = self.conn.as_mut().expect("connected just above");
        let names: Vec<String> = wanted
            .iter()
            .map(|(ws, kind, _)| {
                let what = match kind {
                    StreamKind::Inbox => "inbox",
                    StreamKind::Changes => "changes",
                };
                keys::of_workspace(&keys::workspace(ws), what)
            })
            .collect();
        let mut xread = redis::cmd("XREAD");
        xread
            .arg("COUNT")
            .arg(1_000)
            .arg("BLOCK")
            .arg(READ_BLOCK.as_millis() as u64)
            .arg("STREAMS")
            .arg(&names);
        for (_, _, from) in wanted {
            xread.arg(from);
        }
        self.link.count_round_trip();
        let reply: Option<StreamReadReply> = match xread.query_async(conn).await {
            Ok(reply) => reply,
            Err(e) => {
                self.conn = None;
                self.link.mark_down(&e);
                return Err(Unreachable);
            }
        };
        self.link.succeeded();
        let mut entries = Vec::new();
        for stream in reply.map(|r| r.keys).unwrap_or_default() {
            let Some(request) = names.iter().position(|n| *n == stream.key) else {
                continue;
            };
            for entry in stream.ids {
                let field = match wanted[request].1 {
                    StreamKind::Inbox => "e",
                    StreamKind::Changes => "c",
                };
                if let Some(payload) = entry.get::<String>(field) {
                    entries.push(Entry {
                        request,
                        id: entry.id,
                        payload,
                    });
                }
            }
        }
        Ok(entries)
    }
}
