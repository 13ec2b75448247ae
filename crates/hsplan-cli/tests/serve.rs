//! `hsplan demo`, then `hsplan serve` on its store: the CLI and the HTTP API give the same
//! evaluation, number for number.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET; returns status and body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // de-chunk
        let mut out = String::new();
        let mut rest = body;
        loop {
            let (len, tail) = rest.split_once("\r\n").unwrap();
            let n = usize::from_str_radix(len.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        body.to_string()
    };
    (status, body)
}

#[test]
fn cli_and_api_agree_on_the_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    Command::new(env!("CARGO_BIN_EXE_hsplan"))
        .args(["demo", "--out"])
        .arg(&demo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let db = demo.join("demo.db");
    let cli = common::hsplan(&db)
        .args([
            "evaluate",
            "--plan",
            common::repo_root()
                .join("data/plans/beibei.toml")
                .to_str()
                .unwrap(),
            "--year",
            "2023",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(cli.status.success());
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_hsplan"))
        .args(["--lang", "en", "--db"])
        .arg(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Server(child);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let (status, body) = http_get(&addr, "/api/evaluations?plan=beibei-14th-fyp&year=2023");
    assert_eq!(status, 200, "{body}");
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = |v: &serde_json::Value| v["indicators"].as_array().unwrap().clone();
    assert_eq!(rows(&cli).len(), rows(&api).len());
    assert!(rows(&cli).len() >= 20);
    for (c, a) in rows(&cli).iter().zip(rows(&api).iter()) {
        assert_eq!(c["id"], a["id"]);
        for field in [
            "actual",
            "expected",
            "progress_pct",
            "status",
            "gap",
            "projection",
        ] {
            assert_eq!(c[field], a[field], "{} {field}", c["id"]);
        }
    }
    assert_eq!(cli["status_counts"], api["status_counts"]);
    assert_eq!(cli["equity"], api["equity"]);
    assert_eq!(cli["leagues"], api["leagues"]);
    // a bad request gets a located problem
    let (status, body) = http_get(&addr, "/api/evaluations?plan=beibei-14th-fyp&year=abc");
    assert_eq!(status, 400);
    assert!(body.contains("\"field\":\"query\""), "{body}");
}
