//! Every endpoint on the demo store: success and bad input, through the router in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;
use tower::ServiceExt;

/// The demo folder, built once for this test binary.
fn demo_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        hsplan_app::demo::run(&dir, hsplan_app::Lang::Zh).unwrap();
        dir
    })
}

/// A server on a fresh copy of the demo store (tests that write get their own).
fn app() -> Router {
    let demo = demo_dir();
    let dir = tempfile::tempdir().unwrap().keep();
    std::fs::copy(demo.join("demo.db"), dir.join("demo.db")).unwrap();
    let siting = dir.join("siting");
    std::fs::create_dir_all(&siting).unwrap();
    for f in [
        "roads.hsg",
        "demand.csv",
        "facilities.csv",
        "scenario-mclp.json",
    ] {
        std::fs::copy(demo.join("siting").join(f), siting.join(f)).unwrap();
    }
    let state = hsplan_server::state(&hsplan_server::Config {
        db: hsplan_app::StoreLocation::Sqlite(dir.join("demo.db")),
        addr: "127.0.0.1:0".parse().unwrap(),
        siting_inputs: Some(siting),
        scenarios: None,
        home_unit: Some("500109".into()),
        home_plan: Some("beibei-14th-fyp".into()),
        cache: true,
        trust_proxy: false,
        secure_cookies: false,
    })
    .unwrap();
    hsplan_server::router(state)
}

struct Reply {
    status: StatusCode,
    content_type: String,
    cached: bool,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type, "application/problem+json");
        let p = self.json();
        assert_eq!(p["status"], status.as_u16());
        p
    }
    fn ok(&self) -> Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let content_type = r
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cached = r.headers().contains_key("x-hsplan-cache");
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        content_type,
        cached,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, uri: &str, content_type: &str, body: impl Into<Body>) -> Reply {
    send(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn health_status_and_config() {
    let app = app();
    assert_eq!(get(&app, "/api/health").await.ok()["status"], "ok");
    let s = get(&app, "/api/status").await.ok();
    assert_eq!(s["synthetic_data"], true);
    assert!(s["years"].as_array().unwrap().contains(&2024.into()));
    assert_eq!(s["roots"][0]["name"], "重庆市");
    let m = get(&app, "/api/messages").await.ok();
    assert_eq!(m["zh-CN"]["evaluation"], "规划评估");
    assert_eq!(m["en"]["evaluation"], "Plan evaluation");
    let c = get(&app, "/api/config").await.ok();
    assert_eq!(c["siting"], true);
    assert_eq!(c["home_plan"], "beibei-14th-fyp");
}

#[tokio::test]
async fn units_search_tree_and_pages() {
    let app = app();
    let hits = get(&app, "/api/units?q=%E5%A4%A9%E7%94%9F&within=500109")
        .await
        .ok();
    assert_eq!(hits[0]["unit"]["name"], "天生街道");
    assert_eq!(hits[0]["path"][2], "北碚区");
    let by_code = get(&app, "/api/units?q=500109001").await.ok();
    assert!(by_code.as_array().unwrap().len() > 1);
    get(&app, "/api/units?q=%20")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/units?q=x&limit=0")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/units")
        .await
        .problem(StatusCode::BAD_REQUEST);

    let kids = get(&app, "/api/units/500109/children").await.ok();
    assert_eq!(kids.as_array().unwrap().len(), 17);
    let d = get(&app, "/api/units/500109?year=2024").await.ok();
    assert_eq!(d["unit"]["name"], "北碚区");
    assert_eq!(d["children"].as_array().unwrap().len(), 17);
    assert!(d["facilities_by_type"].as_array().unwrap().len() > 5);
    assert_eq!(d["indicators"].as_array().unwrap().len(), 53);
    // drill down to a village
    let town = kids[0]["code"].as_str().unwrap();
    let villages = get(&app, &format!("/api/units/{town}/children")).await.ok();
    let village = villages[0]["code"].as_str().unwrap();
    let v = get(&app, &format!("/api/units/{village}")).await.ok();
    assert_eq!(v["unit"]["level"], "village");
    assert_eq!(v["path"].as_array().unwrap().len(), 4);

    let p = get(&app, "/api/units/abc")
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().starts_with("code:"), "{p}");
    get(&app, "/api/units/520000")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/units/500109?year=1200")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn facilities_and_indicators() {
    let app = app();
    let page = get(&app, "/api/facilities?unit=500109&year=2024&page_size=10")
        .await
        .ok();
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert!(page["total"].as_u64().unwrap() > 400);
    let hospitals = get(&app, "/api/facilities?unit=500109&kind=general_hospital")
        .await
        .ok();
    assert!(
        hospitals["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] == "general_hospital")
    );
    get(&app, "/api/facilities?unit=500109&page_size=0")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/facilities?unit=500109&page=0")
        .await
        .problem(StatusCode::BAD_REQUEST);
    let ind = get(&app, "/api/indicators?unit=500109&year=2020")
        .await
        .ok();
    let beds = ind
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "beds_per_1000")
        .unwrap();
    assert!(beds["value"].as_f64().unwrap() > 1.0);
    get(&app, "/api/indicators?unit=500109")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn plans_check_and_ledgers() {
    let app = app();
    let plans = get(&app, "/api/plans").await.ok();
    assert_eq!(plans.as_array().unwrap().len(), 5);
    let p = get(&app, "/api/plans/beibei-14th-fyp").await.ok();
    assert!(p["indicators"]["rows"].as_array().unwrap().len() >= 22);
    get(&app, "/api/plans/nope")
        .await
        .problem(StatusCode::NOT_FOUND);
    let bad = post(
        &app,
        "/api/plans/check",
        "application/json",
        serde_json::json!({"file": "x.toml", "text": "[plan]\nid = 3"}).to_string(),
    )
    .await
    .ok();
    assert_eq!(bad["errors"], 1);
    assert!(
        bad["findings"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("x.toml")
    );
    let p = post(&app, "/api/plans/check", "application/json", "{")
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert_eq!(p["field"], "body");
    let ledger = get(&app, "/api/plans/dadukou-service-system-2027/ledger")
        .await
        .ok();
    assert_eq!(ledger["tasks"]["count"], 20);
    let l = get(&app, "/api/plans/tongliang-14th-fyp/ledger").await.ok();
    assert_eq!(l["projects"]["total"]["count"], 31);
    get(&app, "/api/plans/nope/ledger")
        .await
        .problem(StatusCode::NOT_FOUND);
    // the store holds two trees (Chongqing, Sichuan): the quality review without a unit
    // reviews the home unit
    let q = get(&app, "/api/quality?year=2023").await.ok();
    assert_eq!(q["unit"], "500109000000", "{}", q["unit"]);
    // the municipal plan beside the district plans naming it: all 38 districts measured
    let c = get(&app, "/api/plans/chongqing-14th-fyp/compare?year=2024")
        .await
        .ok();
    assert_eq!(c["children"].as_array().unwrap().len(), 3, "{c}");
    let doctors = c["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "licensed_doctors_per_1000")
        .unwrap();
    let units = doctors["units"].as_array().unwrap();
    assert_eq!(units.len(), 38);
    assert!(units.iter().filter(|u| u["has_plan"] == true).count() >= 2);
    // a plan no other names as parent, a bad year
    get(&app, "/api/plans/beibei-14th-fyp/compare?year=2024")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/plans/chongqing-14th-fyp/compare?year=1800")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn evaluation_and_downloads() {
    let app = app();
    let e = get(&app, "/api/evaluations?plan=beibei-14th-fyp&year=2023")
        .await
        .ok();
    assert_eq!(e["unit_name"], "北碚区");
    assert_eq!(e["synthetic_data"], true);
    assert!(e["indicators"].as_array().unwrap().len() >= 20);
    assert_eq!(e["sub_units"].as_array().unwrap().len(), 17);
    get(&app, "/api/evaluations?plan=nope&year=2023")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/evaluations?plan=beibei-14th-fyp&year=99999")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(
        &app,
        "/api/evaluations?plan=beibei-14th-fyp&year=2023&unit=520000",
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let html = get(
        &app,
        "/api/evaluations/report?plan=beibei-14th-fyp&year=2023&mode=midterm&lang=en",
    )
    .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.content_type.starts_with("text/html"));
    let text = String::from_utf8(html.body).unwrap();
    assert!(text.contains("mid-term evaluation"), "{}", &text[..400]);
    let xlsx = get(
        &app,
        "/api/evaluations/report?plan=beibei-14th-fyp&year=2023&format=xlsx",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(&xlsx.body[..2], b"PK");
    let csv = get(
        &app,
        "/api/evaluations/report?plan=beibei-14th-fyp&year=2023&format=csv",
    )
    .await;
    assert!(String::from_utf8(csv.body).unwrap().starts_with("row,id,"));
    get(
        &app,
        "/api/evaluations/report?plan=beibei-14th-fyp&year=2023&format=pdf",
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn standards_and_map() {
    let app = app();
    let s = get(&app, "/api/standards?year=2024&unit=500109").await.ok();
    let all = s["violations"].as_array().unwrap().len();
    assert!(all > 50, "{all}");
    assert!(
        s["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["quote"].is_string())
    );
    let high = get(&app, "/api/standards?year=2024&unit=500109&severity=high")
        .await
        .ok();
    let n = high["violations"].as_array().unwrap();
    assert!(!n.is_empty() && n.len() < all);
    assert!(n.iter().all(|v| v["severity"] == "high"));
    get(&app, "/api/standards?year=2024&severity=urgent")
        .await
        .problem(StatusCode::BAD_REQUEST);
    // an uploaded rule library: the seed file gives the same violations; a broken one is located
    let seeds = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/standards/seeds.toml"
    ))
    .unwrap();
    let body =
        serde_json::json!({"file": "seeds.toml", "text": seeds, "year": 2024, "unit": "500109"});
    let up = post(
        &app,
        "/api/standards/check",
        "application/json",
        body.to_string(),
    )
    .await
    .ok();
    assert_eq!(up["violations"], s["violations"]);
    let broken = serde_json::json!({"file": "mine.toml", "text": "[[rule]]\nid = 'x'\nkind = 'nonsense'\n", "year": 2024});
    let p = post(
        &app,
        "/api/standards/check",
        "application/json",
        broken.to_string(),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("mine.toml"), "{p}");
    let m = get(
        &app,
        "/api/map/choropleth?unit=500109&indicator=beds_per_1000&year=2024",
    )
    .await
    .ok();
    assert_eq!(m["areas"].as_array().unwrap().len(), 17);
    assert_eq!(m["geojson"]["features"].as_array().unwrap().len(), 17);
    assert_eq!(m["schematic_boundaries"], true);
    let legend = m["legend"].as_array().unwrap();
    let labels: Vec<&str> = legend
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    let mut unique = labels.clone();
    unique.dedup();
    assert_eq!(labels, unique, "legend labels repeat");
    get(&app, "/api/map/choropleth?unit=500109&indicator=nope")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/map/choropleth?unit=500109&classes=12")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn uploads_are_all_or_nothing_and_located() {
    let app = app();
    let before = get(&app, "/api/status").await.ok()["facilities"].clone();
    // the second read is served from the cache, until an import publishes a new snapshot
    let again = get(&app, "/api/status").await;
    assert!(again.cached);
    assert_eq!(again.ok()["facilities"], before);
    let bad = "id,name,type,ownership,unit_code\nX1,新中心,community_health_centre,government,500109001000\nX2,坏行,not_a_type,government,500109001000\n";
    let p = post(
        &app,
        "/api/imports/facilities?file=new.csv",
        "text/csv",
        bad,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("new.csv") && detail.contains("row 3"),
        "{detail}"
    );
    assert_eq!(get(&app, "/api/status").await.ok()["facilities"], before);
    let good = "id,name,type,ownership,unit_code\nX1,新中心,community_health_centre,government,500109001000\n";
    let r = post(
        &app,
        "/api/imports/facilities?file=new.csv",
        "text/csv",
        good,
    )
    .await
    .ok();
    assert_eq!(r["facilities"], 1);
    let after = get(&app, "/api/status").await;
    assert!(!after.cached);
    assert_eq!(after.ok()["facilities"], before.as_u64().unwrap() + 1);
    post(&app, "/api/imports/things?file=a.csv", "text/csv", good)
        .await
        .problem(StatusCode::BAD_REQUEST);
    post(
        &app,
        "/api/imports/facilities?file=../a.csv",
        "text/csv",
        good,
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
    post(&app, "/api/imports/facilities?file=a.pdf", "text/csv", good)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let geo = post(
        &app,
        "/api/imports/geojson?file=b.geojson",
        "application/json",
        "{\"type\": \"FeatureCollection\", \"features\": [{]}",
    )
    .await;
    geo.problem(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn exports() {
    let app = app();
    let csv = get(&app, "/api/exports/facilities?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.len() > 1000);
    let xlsx = get(&app, "/api/exports/units?format=xlsx").await;
    assert_eq!(&xlsx.body[..2], b"PK");
    let geo = get(&app, "/api/exports/geojson").await.ok();
    assert_eq!(geo["type"], "FeatureCollection");
    get(&app, "/api/exports/nope")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/exports/units?format=pdf")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

async fn wait_job(app: &Router, id: u64) -> Value {
    for _ in 0..600 {
        let j = get(app, &format!("/api/jobs/{id}")).await.ok();
        if j["state"] != "running" {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn siting_jobs_scenarios_and_apply() {
    let app = app();
    let body = serde_json::json!({"model": "mclp", "p": 3, "minutes": 10, "candidate_spacing": 1000, "name": "web-mclp"});
    let started = post(
        &app,
        "/api/jobs/siting",
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let id = started.json()["id"].as_u64().unwrap();
    // the event stream ends with the final state
    let events = get(&app, &format!("/api/jobs/{id}/events")).await;
    assert!(events.content_type.starts_with("text/event-stream"));
    let text = String::from_utf8(events.body).unwrap();
    assert!(text.contains("event: end"), "{text}");
    let j = wait_job(&app, id).await;
    assert_eq!(j["state"], "done", "{j}");
    let s = &j["result"];
    assert_eq!(s["new_sites"].as_array().unwrap().len(), 3);
    assert!(s["demand"].as_array().unwrap().len() > 100);
    // the same question as the demo's CLI run: the same objective
    let cli: Value = serde_json::from_str(
        &std::fs::read_to_string(demo_dir().join("siting/scenario-mclp.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(s["objective"], cli["objective"]);
    let list = get(&app, "/api/scenarios").await.ok();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "web-mclp")
    );
    let saved = get(&app, "/api/scenarios/web-mclp").await.ok();
    assert_eq!(saved["objective"], s["objective"]);
    get(&app, "/api/scenarios/nope")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/scenarios/..%2Fx")
        .await
        .problem(StatusCode::BAD_REQUEST);
    let before = get(&app, "/api/status").await.ok()["facilities"]
        .as_u64()
        .unwrap();
    let applied = post(
        &app,
        "/api/scenarios/web-mclp/apply",
        "application/json",
        serde_json::json!({"kind": "community_health_centre", "year": 2025}).to_string(),
    )
    .await
    .ok();
    assert_eq!(applied["facilities"], 3);
    assert_eq!(
        get(&app, "/api/status").await.ok()["facilities"]
            .as_u64()
            .unwrap(),
        before + 3
    );
    post(
        &app,
        "/api/scenarios/web-mclp/apply",
        "application/json",
        serde_json::json!({"kind": "spaceport", "year": 2025}).to_string(),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);

    // bad requests: refused at once or as a failed job with a located problem
    let no_p = post(
        &app,
        "/api/jobs/siting",
        "application/json",
        serde_json::json!({"model": "pmedian"}).to_string(),
    )
    .await;
    let j = wait_job(&app, no_p.json()["id"].as_u64().unwrap()).await;
    assert_eq!(j["state"], "failed");
    assert_eq!(j["error"]["field"], "p");
    post(
        &app,
        "/api/jobs/siting",
        "application/json",
        serde_json::json!({"model": "mclp", "p": 1, "name": "../../etc"}).to_string(),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
    let bad_csv = post(
        &app,
        "/api/jobs/siting",
        "application/json",
        serde_json::json!({"model": "mclp", "p": 1, "candidates_csv": "id,lon,lat\nc1,abc,29.8\n"})
            .to_string(),
    )
    .await;
    let j = wait_job(&app, bad_csv.json()["id"].as_u64().unwrap()).await;
    assert_eq!(j["state"], "failed");
    let detail = j["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("candidates.csv: line 2, column `lon`"),
        "{detail}"
    );
    get(&app, "/api/jobs/999999")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/jobs/abc")
        .await
        .problem(StatusCode::BAD_REQUEST);
    send(
        &app,
        Request::post("/api/jobs/999999/cancel")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_jobs_give_coverage_and_isochrones() {
    let app = app();
    let body = serde_json::json!({"thresholds": [30, 15], "isochrone_cell_m": 400});
    let started = post(
        &app,
        "/api/jobs/access",
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let j = wait_job(&app, started.json()["id"].as_u64().unwrap()).await;
    assert_eq!(j["state"], "done", "{j}");
    let r = &j["result"];
    assert_eq!(
        r["coverage"]["thresholds_min"],
        serde_json::json!([15.0, 30.0])
    );
    let total = &r["coverage"]["total"]["share_pct"];
    assert!(total[0].as_f64().unwrap() <= total[1].as_f64().unwrap());
    assert_eq!(r["coverage"]["units"].as_array().unwrap().len(), 17);
    let iso = r["isochrones"]["features"].as_array().unwrap();
    assert_eq!(iso.len(), 2);
    assert_eq!(iso[0]["properties"]["minutes"], 15.0);
    // the same numbers as the demo's report section (same inputs, thresholds 15 and 30)
    for bad in [
        serde_json::json!({"thresholds": []}),
        serde_json::json!({"thresholds": [-5]}),
        serde_json::json!({"thresholds": [15], "isochrone_cell_m": 0.01}),
        serde_json::json!({"thresholds": [15], "dispatch_min": -100}),
    ] {
        let p = post(
            &app,
            "/api/jobs/access",
            "application/json",
            bad.to_string(),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert!(p["field"].is_string(), "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_can_be_cancelled() {
    let app = app();
    let body = serde_json::json!({"model": "pmedian", "p": 5, "candidate_spacing": 300, "uncovered_only": false});
    let id = post(
        &app,
        "/api/jobs/siting",
        "application/json",
        body.to_string(),
    )
    .await
    .json()["id"]
        .as_u64()
        .unwrap();
    let r = send(
        &app,
        Request::post(format!("/api/jobs/{id}/cancel"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let j = wait_job(&app, id).await;
    // cancelled between stages, unless it had already finished
    assert!(j["state"] == "cancelled" || j["state"] == "done", "{j}");
}

#[tokio::test]
async fn openapi_covers_every_route_and_the_app_is_served() {
    let app = app();
    let doc = get(&app, "/api/openapi.json").await.ok();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let source = include_str!("../src/lib.rs");
    let routes: Vec<&str> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
        .map(|l| l.split('"').next().unwrap())
        .filter(|p| *p != "/api/openapi.json")
        .collect();
    assert!(routes.len() >= 27);
    for r in routes {
        assert!(
            paths.contains_key(r),
            "route {r} is not in the OpenAPI document"
        );
    }
    let index = get(&app, "/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(String::from_utf8(index.body).unwrap().contains("app.js"));
    let deep = get(&app, "/some/client/route").await;
    assert_eq!(deep.status, StatusCode::OK);
    let js = get(&app, "/app.js").await;
    assert!(js.content_type.starts_with("text/javascript"));
    get(&app, "/api/nothing")
        .await
        .problem(StatusCode::NOT_FOUND);
    let docs = get(&app, "/api/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
}

/// Regression (found by schemathesis): a method a route does not have (TRACE) got a 500
/// "no authorization rule" from the authorization layer instead of the router's 405.
#[tokio::test]
async fn a_method_a_route_lacks_is_405_not_500() {
    let app = app();
    for path in ["/api/status", "/api/units/500109", "/api/jobs/siting"] {
        let r = send(
            &app,
            Request::builder()
                .method("TRACE")
                .uri(path)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
}
