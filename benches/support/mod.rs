//! Process plumbing shared by the benchmarks: the gateway binary started as its own process on a
//! free loopback port, waited for, measured (RSS), and killed when dropped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The `seam-graphql` binary this benchmark was built with.
pub const BIN: &str = env!("CARGO_BIN_EXE_seam-graphql");

/// The binary to measure: `SEAM_GRAPHQL_BIN` (e.g. an older build, for a before/after), else [`BIN`].
pub fn binary() -> String {
    std::env::var("SEAM_GRAPHQL_BIN").unwrap_or_else(|_| BIN.to_owned())
}

/// A child process, killed and reaped when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts `seam-graphql ARGS` with extra environment, output silenced.
pub fn spawn(args: &[&str], env: &[(&str, String)]) -> Proc {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("spawn seam-graphql"))
}

/// Waits (at most 10 s) until `url` answers.
pub async fn wait_ready(http: &reqwest::Client, url: &str) {
    for _ in 0..200 {
        if http.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never came up");
}

/// Resident memory of a process, in KiB (0 if unknown). (Not every bench measures memory.)
#[allow(dead_code)]
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time (user + system) a process has used so far, in ms; 0 if unknown. `/proc` counts it
/// in USER_HZ ticks, which Linux fixes at 100 per second for user space.
#[allow(dead_code)]
pub fn cpu_ms(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The command name (field 2) may hold spaces: count fields after its closing paren.
            let rest = s.rsplit_once(')')?.1;
            let mut fields = rest.split_whitespace().skip(11);
            let utime: f64 = fields.next()?.parse().ok()?;
            let stime: f64 = fields.next()?.parse().ok()?;
            Some((utime + stime) * 10.0)
        })
        .unwrap_or(0.0)
}

/// Calls the sandbox at `sandbox` has received so far, over all endpoints. (Each bench compiles
/// this module on its own, and not every bench counts calls.)
#[allow(dead_code)]
pub async fn sandbox_calls(http: &reqwest::Client, sandbox: &str) -> u64 {
    let v: Value = http
        .get(format!("{sandbox}/_sandbox/calls"))
        .send()
        .await
        .expect("calls")
        .json()
        .await
        .expect("json");
    v["calls"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0)
}
