//! Talking to a DHIS2 server's Web API (`--dhis2 URL`), against a local mock server that
//! replays answers in DHIS2 2.40's documented shapes (fixtures/dhis2-api/README.md): org
//! units and data values read into a fresh store, hsplan's values and metadata sent back,
//! the server's import summaries shown, wrong credentials refused without showing them.

mod common;
use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "d2pat_testtoken0000000000000000000000000";

/// One request as the mock saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    authorization: Option<String>,
    body: Vec<u8>,
}

/// A DHIS2 stand-in on a free local port; it answers until the test ends.
fn mock_dhis2() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(req) = read_request(&mut stream) else {
                continue;
            };
            log.lock().unwrap().push(req.clone());
            let (status, body) = answer(&req);
            let reason = match status {
                200 => "OK",
                401 => "Unauthorized",
                409 => "Conflict",
                _ => "Error",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut length = 0;
    let mut authorization = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => authorization = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    let query = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    Some(Seen {
        method,
        path: path.to_string(),
        query,
        authorization,
        body,
    })
}

/// What DHIS2 2.40 answers (web messages as its developer manual shows them).
fn answer(req: &Seen) -> (u16, String) {
    if req.authorization.as_deref() != Some(&format!("ApiToken {TOKEN}")) {
        return (
            401,
            json!({"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR",
                   "message": "Unauthorized"})
            .to_string(),
        );
    }
    let has = |k: &str, v: &str| req.query.iter().any(|(a, b)| a == k && b == v);
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/api/metadata")
            if has("organisationUnits", "true") && has("organisationUnitGroups", "true") =>
        {
            (
                200,
                std::fs::read_to_string(
                    repo_root().join("examples/dhis2/uid-hierarchy/metadata.json"),
                )
                .unwrap(),
            )
        }
        ("GET", "/api/dataValueSets")
            if has("period", "2024")
                && has("orgUnit", "ImspTQPwCqd")
                && has("children", "true") =>
        {
            let all: Value = serde_json::from_str(
                &std::fs::read_to_string(
                    repo_root()
                        .join("crates/hsplan-cli/tests/fixtures/dhis2-api/dataValueSets-2024.json"),
                )
                .unwrap(),
            )
            .unwrap();
            // only the data elements asked for, as DHIS2 does
            let asked: Vec<&str> = req
                .query
                .iter()
                .filter(|(k, _)| k == "dataElement")
                .map(|(_, v)| v.as_str())
                .collect();
            let values: Vec<&Value> = all["dataValues"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| asked.contains(&v["dataElement"].as_str().unwrap()))
                .collect();
            (200, json!({"dataValues": values}).to_string())
        }
        ("POST", "/api/dataValueSets") => {
            let Ok(sent) = serde_json::from_slice::<Value>(&req.body) else {
                return (
                    400,
                    json!({"httpStatus": "Bad Request", "httpStatusCode": 400, "status": "ERROR",
                           "message": "JSON parse error"})
                    .to_string(),
                );
            };
            let values = sent["dataValues"].as_array().cloned().unwrap_or_default();
            // the server knows the quantity elements, not the indicator one
            let (known, unknown): (Vec<&Value>, Vec<&Value>) = values
                .iter()
                .partition(|v| v["dataElement"].as_str() != Some("hsBedsPer1000"));
            let conflicts: Vec<Value> = unknown
                .iter()
                .map(|v| json!({"object": v["dataElement"], "value": "Data element not found or not accessible", "errorCode": "E7610"}))
                .collect();
            let status = if conflicts.is_empty() {
                "SUCCESS"
            } else {
                "WARNING"
            };
            let body = json!({
                "httpStatus": if conflicts.is_empty() { "OK" } else { "Conflict" },
                "httpStatusCode": if conflicts.is_empty() { 200 } else { 409 },
                "status": if conflicts.is_empty() { "OK" } else { "WARNING" },
                "message": "One more conflicts encountered, please check import summary.",
                "response": {
                    "responseType": "ImportSummary", "status": status,
                    "importOptions": {"idSchemes": {}, "dryRun": false},
                    "description": "Import process completed successfully",
                    "importCount": {"imported": known.len(), "updated": 0, "ignored": unknown.len(), "deleted": 0},
                    "conflicts": conflicts, "dataSetComplete": "false"
                }
            });
            (if unknown.is_empty() { 200 } else { 409 }, body.to_string())
        }
        ("POST", "/api/metadata") => {
            let sent: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let n = |k: &str| sent[k].as_array().map_or(0, Vec::len);
            let total =
                n("organisationUnits") + n("organisationUnitGroups") + n("organisationUnitLevels");
            let body = json!({
                "httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
                "response": {
                    "responseType": "ImportReport", "status": "OK",
                    "stats": {"created": total, "updated": 0, "deleted": 0, "ignored": 0, "total": total},
                    "typeReports": [{"klass": "org.hisp.dhis.organisationunit.OrganisationUnit",
                                      "stats": {"created": n("organisationUnits"), "updated": 0, "deleted": 0, "ignored": 0, "total": n("organisationUnits")},
                                      "objectReports": []}]
                }
            });
            (200, body.to_string())
        }
        _ => (
            404,
            json!({"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR",
                   "message": format!("no route {} {}", req.method, req.path)})
            .to_string(),
        ),
    }
}

fn with_token(db: &Path, token: &str) -> assert_cmd::Command {
    let mut cmd = hsplan(db);
    cmd.env("HSPLAN_DHIS2_TOKEN", token)
        .env_remove("HSPLAN_DHIS2_USER")
        .env_remove("HSPLAN_DHIS2_PASSWORD");
    cmd
}

fn ok(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_dhis2_server_is_read_from_and_written_to() {
    let (url, seen) = mock_dhis2();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let mapping = repo_root().join("examples/dhis2/uid-hierarchy/mapping.toml");

    // org units, levels and groups from /api/metadata
    let text = ok(with_token(&db, TOKEN)
        .args(["import", "dhis2-metadata", "--dhis2", &url, "--mapping"])
        .arg(&mapping));
    assert!(text.contains("8 units, 7 facilities"), "{text}");
    // the year's values of the mapped data elements, at the top org unit and below
    let text = ok(with_token(&db, TOKEN)
        .args([
            "import",
            "dhis2",
            "--dhis2",
            &url,
            "--year",
            "2024",
            "--org-unit",
            "ImspTQPwCqd",
            "--mapping",
        ])
        .arg(&mapping));
    assert!(
        text.contains("4 population records, 7 facility-years"),
        "{text}"
    );
    let asked = seen.lock().unwrap().last().cloned().unwrap();
    let mut elements: Vec<&str> = asked
        .query
        .iter()
        .filter(|(k, _)| k == "dataElement")
        .map(|(_, v)| v.as_str())
        .collect();
    elements.sort();
    assert_eq!(
        elements,
        ["WUg3MYWQ7pt", "hsBedsActual", "hsDoctors", "hsNurses"]
    );
    let v: Value = serde_json::from_str(&ok(hsplan(&db).args([
        "indicators",
        "--unit",
        "O6uvpzGd5pu",
        "--year",
        "2024",
        "--json",
    ])))
    .unwrap();
    let beds = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "beds_per_1000")
        .unwrap();
    assert!((beds["value"].as_f64().unwrap() - 30.0 / 41.2).abs() < 1e-9);

    // hsplan's values sent back: the server's summary, with its conflicts, is shown
    let text = ok(with_token(&db, TOKEN)
        .args([
            "export",
            "dhis2",
            "--dhis2",
            &url,
            "--year",
            "2024",
            "--mapping",
        ])
        .arg(&mapping));
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/api/dataValueSets")
    );
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    let values = body["dataValues"].as_array().unwrap();
    let indicators = values
        .iter()
        .filter(|v| v["dataElement"] == "hsBedsPer1000")
        .count();
    assert!(indicators > 0);
    assert!(
        text.contains(&format!(
            "status WARNING; imported {}, updated 0, ignored {indicators}, deleted 0",
            values.len() - indicators
        )),
        "{text}"
    );
    assert!(
        text.contains("hsBedsPer1000: Data element not found or not accessible"),
        "{text}"
    );

    // units and facilities sent as metadata
    let text = ok(with_token(&db, TOKEN).args(["export", "dhis2-metadata", "--dhis2", &url]));
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(sent.path, "/api/metadata");
    assert!(
        sent.query
            .iter()
            .any(|(k, v)| k == "importStrategy" && v == "CREATE_AND_UPDATE")
    );
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    assert!(
        body["organisationUnits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == "ImspTQPwCqd")
    );
    assert!(text.contains("status OK; imported 22"), "{text}");
}

#[test]
fn wrong_credentials_and_bad_addresses_are_refused_without_showing_secrets() {
    let (url, _) = mock_dhis2();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let out = with_token(&db, "d2pat_wrongsecret")
        .args(["import", "dhis2-metadata", "--dhis2", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/api/metadata: 401: the server refused the credentials"),
        "{err}"
    );
    assert!(!err.contains("wrongsecret"), "{err}");
    // nothing stored
    let status = ok(hsplan(&db).arg("status"));
    assert!(status.contains("facilities: 0"), "{status}");
    // credentials in the address are refused and not echoed
    let out = hsplan(&db)
        .args([
            "import",
            "dhis2-metadata",
            "--dhis2",
            "https://admin:district@dhis2.example.org",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !err.contains("district"), "{err}");
    // an org unit that is no uid is refused before anything is asked
    let mapping = repo_root().join("examples/dhis2/uid-hierarchy/mapping.toml");
    let out = with_token(&db, TOKEN)
        .args([
            "import",
            "dhis2",
            "--dhis2",
            &url,
            "--year",
            "2024",
            "--org-unit",
            "Sierra Leone",
            "--mapping",
        ])
        .arg(&mapping)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`Sierra Leone` is no DHIS2 uid"), "{err}");
    // a server that is not there
    let out = with_token(&db, TOKEN)
        .args(["import", "dhis2-metadata", "--dhis2", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the server"), "{err}");
}
