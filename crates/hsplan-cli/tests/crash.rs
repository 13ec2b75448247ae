//! `kill -9` of a shared server (PostgreSQL) in the middle of a bulk import and of form
//! saves: after a restart, every save the server acknowledged is there, the import is
//! there wholly or not at all, and the audit chain verifies.
//!
//! Needs the PostgreSQL server named by `HSPLAN_TEST_PG` (see `hsplan_store::testdb`).

use hsplan_store::testdb::TestDb;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASSWORD: &str = "crash test password";

fn hsplan(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hsplan"));
    c.args(["--db", db, "--lang", "en"]);
    c
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(db: &str) -> (Server, String) {
    let mut child = hsplan(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (Server(child), addr)
}

/// One HTTP/1.1 request; status and body (None if the connection broke).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &[u8],
) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

fn login(addr: &str) -> String {
    let (status, body) = request(
        addr,
        "POST",
        "/api/session",
        "",
        format!(r#"{{"user":"clerk","password":"{PASSWORD}"}}"#).as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["token"].as_str().unwrap().to_string()
}

#[test]
fn kill_9_during_an_import_and_saves_loses_nothing_committed_and_shows_nothing_partial() {
    let db = TestDb::new();
    let url = db.url().to_string();
    assert!(
        hsplan(&url)
            .args(["import", "demo"])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    );
    let mut add = hsplan(&url)
        .args(["user", "add", "clerk"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    assert!(
        hsplan(&url)
            .args(["user", "grant", "clerk", "data_entry", "500109"])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    );

    let store = hsplan_store::PgStore::open(&url).unwrap();
    use hsplan_store::Store;
    let facilities: Vec<String> = store
        .load()
        .unwrap()
        .facilities
        .keys()
        .map(|f| f.to_string())
        .collect();

    for (round, kill_after_ms) in [(0u32, 150u64), (1, 400), (2, 900)] {
        let (mut server, addr) = start(&url);
        let token = login(&addr);
        let stop = Arc::new(AtomicBool::new(false));
        // acknowledged saves: (facility, version, beds)
        let acked: Arc<Mutex<Vec<(String, i64, i64)>>> = Arc::default();
        let mut savers = Vec::new();
        for w in 0..8 {
            let (addr, token, stop, acked) =
                (addr.clone(), token.clone(), stop.clone(), acked.clone());
            let id = facilities[w * 7].clone();
            let store = store.clone();
            savers.push(std::thread::spawn(move || {
                let fid = hsplan_model::FacilityId::new(&id).unwrap();
                let year = hsplan_model::Year::new(2024).unwrap();
                let mut version = store.facility_year(&fid, year).unwrap().map_or(0, |(_, v)| v);
                let mut beds = 1000 + round as i64 * 100_000;
                while !stop.load(Ordering::Relaxed) {
                    beds += 1;
                    let body = format!(r#"{{"version":{version},"quantities":{{"beds":{beds}}},"confirm_jumps":true}}"#);
                    match request(&addr, "PUT", &format!("/api/facilities/{id}/years/2024"), &token, body.as_bytes()) {
                        Some((200, b)) => {
                            let v: serde_json::Value = serde_json::from_str(&b).unwrap();
                            version = v["version"].as_i64().unwrap();
                            acked.lock().unwrap().push((id.clone(), version, beds));
                        }
                        Some((s, b)) => panic!("save answered {s}: {b}"),
                        None => break, // the server is gone
                    }
                }
            }));
        }
        // a bulk import of a whole new year for every facility, in flight when the kill comes
        let year = 2030 + round;
        let mut csv = String::from("facility_id,year,beds,licensed_doctors\n");
        for id in &facilities {
            for y in year..year + 20 {
                csv.push_str(&format!("{id},{y},10,3\n"));
            }
        }
        let importer = {
            let (addr, token) = (addr.clone(), token.clone());
            std::thread::spawn(move || {
                request(
                    &addr,
                    "POST",
                    "/api/imports/resources?file=bulk.csv",
                    &token,
                    csv.as_bytes(),
                )
                .map(|(s, _)| s)
            })
        };
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        server.0.kill().unwrap(); // SIGKILL
        server.0.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for s in savers {
            s.join().unwrap();
        }
        let import_status = importer.join().unwrap();

        // after the crash: every acknowledged save is stored (at its version or later)
        let (_again, addr) = start(&url);
        let _ = addr;
        let acked = acked.lock().unwrap().clone();
        for (id, version, beds) in &acked {
            let fid = hsplan_model::FacilityId::new(id).unwrap();
            let (fy, v) = store
                .facility_year(&fid, hsplan_model::Year::new(2024).unwrap())
                .unwrap()
                .unwrap();
            assert!(
                v >= *version,
                "{id}: acknowledged version {version}, stored {v}"
            );
            if v == *version {
                assert_eq!(
                    fy.get(hsplan_model::Quantity::Beds).map(|c| c.0 as i64),
                    Some(*beds),
                    "{id}"
                );
            }
        }
        // the import is all there or not at all
        let sys = store.load().unwrap();
        let imported = sys
            .facility_years
            .keys()
            .filter(|(_, y)| (year..year + 20).contains(&(y.get() as u32)))
            .count();
        assert!(
            imported == 0 || imported == facilities.len() * 20,
            "round {round}: {imported} of {} rows of the import are visible",
            facilities.len() * 20
        );
        if import_status == Some(200) {
            assert_eq!(
                imported,
                facilities.len() * 20,
                "an acknowledged import is stored"
            );
        }
        let verify = hsplan(&url).args(["audit", "verify"]).output().unwrap();
        assert!(
            verify.status.success(),
            "{}",
            String::from_utf8_lossy(&verify.stderr)
        );
        eprintln!(
            "round {round}: kill -9 after {kill_after_ms} ms — {} acknowledged saves all stored; import {} ({imported} rows); audit chain verifies",
            acked.len(),
            match import_status {
                Some(s) => format!("answered {s}"),
                None => "cut off".into(),
            }
        );
    }
}
