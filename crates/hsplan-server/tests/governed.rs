//! The shared server on PostgreSQL: the authorization matrix (every route × every role ×
//! inside/outside scope, generated from the route list), no data from outside scope in any
//! response, and the data-entry → submit → approve → lock → evaluation → audit workflow.
//!
//! Needs the PostgreSQL server named by `HSPLAN_TEST_PG` (see `hsplan_store::testdb`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hsplan_app::governance::{self, Actor};
use hsplan_app::{StoreLocation, Workspace};
use hsplan_govern::Role;
use hsplan_server::auth::{RULES, Rule};
use hsplan_store::testdb::TestDb;
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use tower::ServiceExt;

const PASSWORD: &str = "password for tests";
/// The scope every role is granted on (天生街道, Beibei).
const IN: &str = "500109001";

struct Fixture {
    _db: TestDb,
    app: axum::Router,
    /// Another town of Beibei: outside every role's scope.
    out_unit: String,
    out_names: Vec<String>,
    in_facility: String,
    out_facility: String,
}

fn fixture() -> Fixture {
    let db = TestDb::new();
    let location = StoreLocation::Postgres(db.url().to_string());
    let ws = Workspace::open_at(&location).unwrap();
    ws.import(&hsplan_app::demo::batch().unwrap()).unwrap();
    let by = Actor::cli();
    for role in Role::ALL {
        let name = role.code();
        governance::add_user(&ws, name, PASSWORD, &by).unwrap();
        governance::grant(&ws, name, name, IN, &by).unwrap();
    }
    governance::add_user(&ws, "chief", PASSWORD, &by).unwrap();
    governance::grant(&ws, "chief", "admin", "50", &by).unwrap();
    let snap = ws.snapshot();
    let inside = hsplan_model::AdminCode::parse(IN).unwrap();
    let in_facility = snap
        .sys
        .facilities
        .values()
        .find(|f| f.unit == inside || f.unit.is_descendant_of(inside))
        .unwrap()
        .id
        .to_string();
    // the other town with the most facilities
    let mut by_town: std::collections::BTreeMap<
        hsplan_model::AdminCode,
        Vec<&hsplan_model::Facility>,
    > = Default::default();
    let beibei = hsplan_model::AdminCode::parse("500109").unwrap();
    for f in snap.sys.facilities.values() {
        let town = f.unit.truncated(hsplan_model::AdminLevel::Town);
        if town != inside && f.unit.is_descendant_of(beibei) && town != beibei {
            by_town.entry(town).or_default().push(f);
        }
    }
    let (out_town, out_facs) = by_town.iter().max_by_key(|(_, v)| v.len()).unwrap();
    let in_names: Vec<&str> = snap
        .sys
        .facilities
        .values()
        .filter(|f| f.unit.truncated(hsplan_model::AdminLevel::Town) == inside)
        .map(|f| f.name.as_str())
        .collect();
    let mut out_names = vec![snap.sys.units[out_town].name.clone()];
    out_names.extend(
        out_facs
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| !in_names.iter().any(|i| i.contains(n.as_str()))),
    );
    let out_facility = out_facs[0].id.to_string();
    drop(ws);
    let state = hsplan_server::state(&hsplan_server::Config {
        db: location,
        addr: "127.0.0.1:0".parse().unwrap(),
        siting_inputs: None,
        scenarios: None,
        home_unit: None,
        home_plan: None,
        cache: true,
        trust_proxy: false,
        secure_cookies: false,
    })
    .unwrap();
    Fixture {
        _db: db,
        app: hsplan_server::router(state),
        out_unit: out_town.to_string(),
        out_names,
        in_facility,
        out_facility,
    }
}

struct Reply {
    status: StatusCode,
    body: String,
    set_cookie: Option<String>,
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Reply {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let r = app
        .clone()
        .oneshot(
            b.body(body.map(Body::from).unwrap_or_else(Body::empty))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    let set_cookie = r
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&r.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Reply {
        status,
        body,
        set_cookie,
    }
}

async fn login(app: &axum::Router, user: &str) -> String {
    let r = call(
        app,
        "POST",
        "/api/session",
        &[],
        Some(serde_json::json!({"user": user, "password": PASSWORD}).to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// A request for a route, with its path and query filled for a unit and a facility.
fn request_for(method: &str, path: &str, unit: &str, facility: &str) -> (String, Option<String>) {
    let uri = path
        .replace("{code}", unit)
        .replace("{unit}", unit)
        .replace("{id}/years", &format!("{facility}/years"))
        .replace("{year}", "2024")
        .replace("{kind}", "resources")
        .replace("{name}", "none")
        .replace("{item}", "task:1")
        .replace("{update}", "1")
        .replace("{action}", "submit")
        .replace("{version}", "0")
        .replace(
            "{id}",
            if path.starts_with("/api/jobs") {
                "1"
            } else {
                "beibei-14th-fyp"
            },
        );
    let query = match path {
        "/api/units" => format!("?q=街道&within={unit}"),
        "/api/facilities" | "/api/indicators" => format!("?unit={unit}&year=2024"),
        "/api/evaluations" => format!("?plan=beibei-14th-fyp&year=2024&unit={unit}"),
        "/api/evaluations/report" => {
            format!("?plan=beibei-14th-fyp&year=2024&unit={unit}&format=csv")
        }
        "/api/standards" | "/api/quality" => format!("?year=2024&unit={unit}"),
        "/api/quality/report" => format!("?year=2024&unit={unit}&format=csv"),
        "/api/map/choropleth" => format!("?unit={unit}&indicator=beds_per_1000&year=2024"),
        "/api/approvals" => format!("?unit={unit}&year=2024"),
        "/api/imports/{kind}" => "?file=r.csv".into(),
        "/api/plans/{id}/diff" => "?from=0&to=0".into(),
        _ => String::new(),
    };
    let body = match (method, path) {
        ("POST", "/api/session") => {
            Some(serde_json::json!({"user": "nobody", "password": "wrong password"}).to_string())
        }
        ("PUT", "/api/plans/{id}/source") => {
            Some(r#"{"base_version":0,"text":"[plan]","comment":"matrix"}"#.into())
        }
        ("PUT", _) => Some(r#"{"version":0,"quantities":{"beds":1},"confirm_jumps":true}"#.into()),
        ("POST", "/api/plans/check") => Some(r#"{"file":"x.toml","text":"[plan]"}"#.into()),
        ("POST", "/api/standards/check") => Some(format!(
            r#"{{"file":"s.toml","text":"","year":2024,"unit":"{unit}"}}"#
        )),
        ("POST", "/api/imports/{kind}") => {
            Some(format!("facility_id,year,beds\n{facility},2024,3\n"))
        }
        ("POST", "/api/jobs/siting") => Some(r#"{"model":"pmedian","p":1}"#.into()),
        ("POST", "/api/jobs/access") => Some("{}".into()),
        ("POST", _) => Some("{}".into()),
        _ => None,
    };
    (format!("{uri}{query}"), body)
}

fn allowed(rule: Rule, role: Role) -> bool {
    match rule {
        Rule::Public => true,
        Rule::Signed(a) => role.allows(a),
        Rule::SignedAny(actions) => actions.iter().any(|a| role.allows(*a)),
        // every role here is granted on one town only: nothing region-wide
        Rule::RegionWide(_) => false,
    }
}

#[test]
fn every_route_has_a_rule_and_every_rule_a_route() {
    let doc: serde_json::Value = serde_json::from_str(&hsplan_server::openapi_json()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    documented.insert(("GET".into(), "/api/openapi.json".into()));
    let ruled: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&ruled).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization rule: {missing:?}"
    );
    let stale: Vec<_> = ruled.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rules for routes that do not exist: {stale:?}"
    );
}

#[test]
fn the_authorization_matrix_holds_and_nothing_leaks_from_outside_scope() {
    let fx = fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut checked = 0;
        let mut tokens = Vec::new();
        for role in Role::ALL {
            tokens.push((role, login(&fx.app, role.code()).await));
        }
        for (method, path, rule) in RULES {
            if *path == "/api/session" && *method == "DELETE" {
                continue; // signing out ends the session the other checks use; tested below
            }
            let signing_in = *path == "/api/session";
            // no session
            let (uri, body) = request_for(method, path, IN, &fx.in_facility);
            let r = call(&fx.app, method, &uri, &[], body).await;
            if *rule == Rule::Public && *path != "/api/session" {
                assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}: {}", r.body);
            } else {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri} without a session: {}", r.body);
            }
            checked += 1;
            if signing_in {
                continue; // a sign-in with a session is a sign-in: tested above and below
            }
            for (role, token) in &tokens {
                let auth = format!("Bearer {token}");
                let headers = [("authorization", auth.as_str())];
                for (scope, unit, facility) in [
                    ("inside", IN, fx.in_facility.as_str()),
                    ("outside", fx.out_unit.as_str(), fx.out_facility.as_str()),
                ] {
                    let (uri, body) = request_for(method, path, unit, facility);
                    let r = call(&fx.app, method, &uri, &headers, body).await;
                    checked += 1;
                    let what = format!("{role} {scope}: {method} {uri} → {} {}", r.status, r.body.chars().take(300).collect::<String>());
                    assert!(!r.status.is_server_error(), "{what}");
                    if !allowed(*rule, *role) {
                        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}");
                        continue;
                    }
                    assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{what}");
                    if scope == "outside" {
                        for name in &fx.out_names {
                            assert!(!r.body.contains(name.as_str()), "{what}: leaks `{name}`");
                        }
                        // anything about an outside unit or facility is "not found" (or
                        // refused as outside scope), never answered
                        let names_it = uri.contains(&fx.out_unit) || uri.contains(&fx.out_facility) || body_names(method, path);
                        if names_it && *path != "/api/plans/check" {
                            assert!(!r.status.is_success(), "{what}");
                        }
                    }
                }
            }
        }
        // signing out ends the session
        let token = login(&fx.app, "viewer").await;
        let auth = format!("Bearer {token}");
        let r = call(&fx.app, "DELETE", "/api/session", &[("authorization", auth.as_str())], None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert!(r.set_cookie.unwrap().contains("Max-Age=0"));
        let r = call(&fx.app, "GET", "/api/me", &[("authorization", auth.as_str())], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        eprintln!("authorization matrix: {} routes × {} roles × 2 scopes (+ no session): {checked} requests", RULES.len(), Role::ALL.len());
        assert!(checked > 300);
    });
}

/// Whether the route's request body names the unit or facility (uploads, standards).
fn body_names(method: &str, path: &str) -> bool {
    matches!((method, path), ("POST", "/api/imports/{kind}"))
}

#[test]
fn cookies_need_the_csrf_token_and_failed_logins_are_limited() {
    let fx = fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let r = call(
            &fx.app,
            "POST",
            "/api/session",
            &[],
            Some(serde_json::json!({"user": "data_entry", "password": PASSWORD}).to_string()),
        )
        .await;
        let cookie = r.set_cookie.unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let csrf = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["csrf"]
            .as_str()
            .unwrap()
            .to_string();
        let session = cookie.split(';').next().unwrap().to_string();
        let uri = format!("/api/facilities/{}/years/2024", fx.in_facility);
        let form = call(&fx.app, "GET", &uri, &[("cookie", session.as_str())], None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let version = serde_json::from_str::<serde_json::Value>(&form.body).unwrap()["version"]
            .as_i64()
            .unwrap();
        let body =
            format!(r#"{{"version":{version},"quantities":{{"beds":10}},"confirm_jumps":true}}"#);
        let no_csrf = call(
            &fx.app,
            "PUT",
            &uri,
            &[("cookie", session.as_str())],
            Some(body.clone()),
        )
        .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.body);
        let with = call(
            &fx.app,
            "PUT",
            &uri,
            &[
                ("cookie", session.as_str()),
                ("x-csrf-token", csrf.as_str()),
            ],
            Some(body),
        )
        .await;
        assert_eq!(with.status, StatusCode::OK, "{}", with.body);

        for _ in 0..hsplan_server::auth::MAX_FAILURES_PER_USER {
            let r = call(
                &fx.app,
                "POST",
                "/api/session",
                &[],
                Some(r#"{"user":"viewer","password":"not it at all"}"#.into()),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = call(
            &fx.app,
            "POST",
            "/api/session",
            &[],
            Some(serde_json::json!({"user": "viewer", "password": PASSWORD}).to_string()),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    });
}

#[test]
fn entry_submit_approve_lock_evaluate_and_the_audit_trail() {
    let fx = fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let clerk = format!("Bearer {}", login(&fx.app, "data_entry").await);
        let boss = format!("Bearer {}", login(&fx.app, "approver").await);
        let chief = format!("Bearer {}", login(&fx.app, "chief").await);
        let uri = format!("/api/facilities/{}/years/2024", fx.in_facility);
        let form: serde_json::Value = serde_json::from_str(
            &call(
                &fx.app,
                "GET",
                &uri,
                &[("authorization", clerk.as_str())],
                None,
            )
            .await
            .body,
        )
        .unwrap();
        let version = form["version"].as_i64().unwrap();
        let beds_before = form["quantities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["code"] == "beds")
            .unwrap()["value"]
            .as_u64()
            .unwrap_or(0);
        let beds = beds_before + 3;
        let save = |v: i64, beds: u64| {
            format!(r#"{{"version":{v},"quantities":{{"beds":{beds}}},"confirm_jumps":true}}"#)
        };
        let r = call(
            &fx.app,
            "PUT",
            &uri,
            &[("authorization", clerk.as_str())],
            Some(save(version, beds)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // the same form saved again at the old version: refused, showing what changed
        let r = call(
            &fx.app,
            "PUT",
            &uri,
            &[("authorization", clerk.as_str())],
            Some(save(version, beds + 1)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("\"outcome\":\"stale\""), "{}", r.body);
        // the reads see the save at once
        let unit: serde_json::Value = serde_json::from_str(
            &call(
                &fx.app,
                "GET",
                &format!("/api/facilities?unit={IN}&year=2024&limit=500"),
                &[("authorization", clerk.as_str())],
                None,
            )
            .await
            .body,
        )
        .unwrap();
        let row = unit["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == fx.in_facility.as_str())
            .unwrap()
            .clone();
        assert_eq!(row["beds"].as_u64(), Some(beds), "{row}");

        let step = |who: &str, action: &str, reason: Option<&str>| {
            let body = serde_json::json!({ "reason": reason }).to_string();
            let uri = format!("/api/approvals/{IN}/2024/{action}");
            let who = who.to_string();
            let app = fx.app.clone();
            async move {
                call(
                    &app,
                    "POST",
                    &uri,
                    &[("authorization", who.as_str())],
                    Some(body),
                )
                .await
            }
        };
        // the clerk may not approve; the approver may not submit
        assert_eq!(
            step(&clerk, "approve", None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            step(&boss, "submit", None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(step(&clerk, "submit", None).await.status, StatusCode::OK);
        // submitted: no more saves
        let r = call(
            &fx.app,
            "PUT",
            &uri,
            &[("authorization", clerk.as_str())],
            Some(save(version + 1, beds + 2)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("submitted"), "{}", r.body);

        // evaluation on approved data only: before approval, the town's beds are not counted
        let eval = |approved: bool| {
            let uri = format!(
                "/api/evaluations?plan=beibei-14th-fyp&year=2024&unit={IN}&approved_only={approved}"
            );
            let app = fx.app.clone();
            let chief = chief.clone();
            async move {
                let r = call(
                    &app,
                    "GET",
                    &uri,
                    &[("authorization", chief.as_str())],
                    None,
                )
                .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                serde_json::from_str::<serde_json::Value>(&r.body).unwrap()
            }
        };
        let beds_value = |v: &serde_json::Value| {
            v["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["actual"].clone())
                .collect::<Vec<_>>()
        };
        let before = eval(true).await;
        assert_eq!(step(&boss, "approve", None).await.status, StatusCode::OK);
        assert_eq!(step(&boss, "lock", None).await.status, StatusCode::OK);
        let after = eval(true).await;
        // unapproved data count as not reported (no value), approved ones are evaluated
        let valued = |v: &serde_json::Value| beds_value(v).iter().filter(|x| !x.is_null()).count();
        assert!(
            valued(&after) > valued(&before),
            "{:?} → {:?}",
            beds_value(&before),
            beds_value(&after)
        );
        let all = eval(false).await;
        assert!(all["indicators"].as_array().unwrap().len() > 10);

        // unlock needs a reason
        assert_eq!(
            step(&boss, "unlock", None).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            step(&boss, "unlock", Some("beds recounted")).await.status,
            StatusCode::OK
        );

        // the audit trail has every step, in order, within the approver's scope
        let r = call(
            &fx.app,
            "GET",
            "/api/audit",
            &[("authorization", boss.as_str())],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let entries: Vec<serde_json::Value> = serde_json::from_str(&r.body).unwrap();
        let actions: Vec<&str> = entries
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        let wanted = [
            "facility_year.save",
            "approval.submit",
            "approval.approve",
            "approval.lock",
            "approval.unlock",
        ];
        let mut it = actions.iter();
        for w in wanted {
            assert!(
                it.any(|a| *a == w),
                "{w} missing or out of order in {actions:?}"
            );
        }
        let save_entry = entries
            .iter()
            .find(|e| e["action"] == "facility_year.save")
            .unwrap();
        assert_eq!(save_entry["actor"], "data_entry");
        assert!(
            save_entry["before"]
                .as_str()
                .unwrap()
                .contains(&format!("{beds_before}"))
        );
        let csv = call(
            &fx.app,
            "GET",
            "/api/audit/export",
            &[("authorization", boss.as_str())],
            None,
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with("seq,at,actor"));
        // the data-entry role does not read the audit log
        assert_eq!(
            call(
                &fx.app,
                "GET",
                "/api/audit",
                &[("authorization", clerk.as_str())],
                None
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    });
}

#[test]
fn the_task_ledger_closes_the_loop() {
    let fx = fixture();
    // a department of Dadukou reports on its task; the Tiansheng clerk cannot see it
    let state_db = fx._db.url().to_string();
    let ws = Workspace::open_at(&StoreLocation::Postgres(state_db)).unwrap();
    let by = Actor::cli();
    governance::add_user(&ws, "wjw", PASSWORD, &by).unwrap();
    governance::grant(&ws, "wjw", "viewer", "500104", &by).unwrap();
    hsplan_app::tasks::add_member_org(&ws, "wjw", "区卫生健康委", &by).unwrap();
    drop(ws);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let wjw = format!("Bearer {}", login(&fx.app, "wjw").await);
        let clerk = format!("Bearer {}", login(&fx.app, "data_entry").await);
        let plan = "dadukou-service-system-2027";
        let post = |who: String, item: &str, body: serde_json::Value| {
            let app = fx.app.clone();
            let uri = format!("/api/plans/{plan}/tasks/{}/updates", item.replace(':', "%3A"));
            async move { call(&app, "POST", &uri, &[("authorization", who.as_str())], Some(body.to_string())).await }
        };
        let ok = post(wjw.clone(), "task:1", serde_json::json!({
            "reported_on": "2026-11-30", "org": "区卫生健康委", "status": "in_progress",
            "text": "建胜镇卫生院主体完工", "attachment": {"name": "进度照片.txt", "content_type": "text/plain", "data_base64": "5Lit5paH"}
        })).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        let id = serde_json::from_str::<serde_json::Value>(&ok.body).unwrap()["id"].as_i64().unwrap();
        // a unit not responsible for the task, one the user does not act for, a bad status
        let r = post(wjw.clone(), "task:1", serde_json::json!({"org": "区财政局", "status": "done", "text": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = post(wjw.clone(), "task:1", serde_json::json!({"org": "区卫生健康委", "status": "finished", "text": "x"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // outside the plan's jurisdiction: not found
        let r = post(clerk.clone(), "task:1", serde_json::json!({"org": "区卫生健康委", "status": "done", "text": "x"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        let board = call(&fx.app, "GET", &format!("/api/plans/{plan}/tasks"), &[("authorization", wjw.as_str())], None).await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let b: serde_json::Value = serde_json::from_str(&board.body).unwrap();
        let t1 = b["items"].as_array().unwrap().iter().find(|i| i["id"] == "task:1").unwrap();
        assert_eq!(t1["status"], "in_progress");
        assert_eq!(t1["latest"]["text"], "建胜镇卫生院主体完工");
        assert_eq!(t1["lead"], "区卫生健康委");
        assert!(!t1["serves"].as_array().unwrap().is_empty());
        let unit = b["units"].as_array().unwrap().iter().find(|u| u["org"] == "区卫生健康委").unwrap();
        assert_eq!(unit["in_progress"], 1);
        // the Beibei clerk sees the plan's tasks but no Dadukou progress
        let other = call(&fx.app, "GET", &format!("/api/plans/{plan}/tasks"), &[("authorization", clerk.as_str())], None).await;
        assert!(!other.body.contains("建胜镇卫生院主体完工"));
        // nor the targets' statuses: a part of the district would give a wrong total
        let o: serde_json::Value = serde_json::from_str(&other.body).unwrap();
        assert!(o["year"].is_null(), "{}", other.body);
        assert!(o["items"].as_array().unwrap().iter().all(|i| i["derived_status"].is_null()
            && i["serves"].as_array().unwrap().iter().all(|s| s["status"].is_null())));
        // the municipal plan beside its children: only for a reader who may see the municipality
        let cmp = call(&fx.app, "GET", "/api/plans/chongqing-14th-fyp/compare?year=2024", &[("authorization", clerk.as_str())], None).await;
        assert_eq!(cmp.status, StatusCode::NOT_FOUND, "{}", cmp.body);
        assert!(!cmp.body.contains("渝中区") && !cmp.body.contains("大渡口"), "{}", cmp.body);
        let att = call(&fx.app, "GET", &format!("/api/plans/{plan}/updates/{id}/attachment"), &[("authorization", wjw.as_str())], None).await;
        assert_eq!(att.status, StatusCode::OK);
        assert_eq!(att.body, "中文");
        let att = call(&fx.app, "GET", &format!("/api/plans/{plan}/updates/{id}/attachment"), &[("authorization", clerk.as_str())], None).await;
        assert_eq!(att.status, StatusCode::NOT_FOUND);
    });
}

fn json_of(r: &Reply) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[test]
fn plans_are_edited_with_the_lint_on_save_and_a_version_history() {
    let fx = fixture();
    let ws = Workspace::open_at(&StoreLocation::Postgres(fx._db.url().to_string())).unwrap();
    let by = Actor::cli();
    for (name, unit) in [("bb_planner", "500109"), ("ddk_planner", "500104")] {
        governance::add_user(&ws, name, PASSWORD, &by).unwrap();
        governance::grant(&ws, name, "planner", unit, &by).unwrap();
    }
    drop(ws);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let bb = format!("Bearer {}", login(&fx.app, "bb_planner").await);
        let ddk = format!("Bearer {}", login(&fx.app, "ddk_planner").await);
        let viewer = format!("Bearer {}", login(&fx.app, "viewer").await);
        let plan = "beibei-14th-fyp";
        let src_uri = format!("/api/plans/{plan}/source");
        let get = |who: String, uri: String| {
            let app = fx.app.clone();
            async move { call(&app, "GET", &uri, &[("authorization", who.as_str())], None).await }
        };
        let put = |who: String, body: serde_json::Value| {
            let app = fx.app.clone();
            let uri = src_uri.clone();
            async move {
                call(
                    &app,
                    "PUT",
                    &uri,
                    &[("authorization", who.as_str())],
                    Some(body.to_string()),
                )
                .await
            }
        };
        let evaluation_target = |who: String| {
            let g = get(
                who,
                format!("/api/evaluations?plan={plan}&year=2024&unit=500109"),
            );
            async move {
                let r = g.await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                json_of(&r)["indicators"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["id"] == "beds_per_1000")
                    .unwrap()["target"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
        };

        // the source, editable only by a planner on the plan's jurisdiction
        let src = get(bb.clone(), src_uri.clone()).await;
        assert_eq!(src.status, StatusCode::OK, "{}", src.body);
        let src = json_of(&src);
        assert_eq!(src["version"], 0);
        assert_eq!(src["editable"], true);
        assert_eq!(
            json_of(&get(ddk.clone(), src_uri.clone()).await)["editable"],
            false
        );
        assert_eq!(evaluation_target(bb.clone()).await, "8.32");
        let text = src["text"].as_str().unwrap().to_string();
        let edited = text.replacen(r#"target = "8.32""#, r#"target = "9.5""#, 1);
        assert_ne!(edited, text);

        // another district's planner and a viewer may not save it
        let body = serde_json::json!({"base_version": 0, "text": edited, "comment": "新目标"});
        assert_eq!(
            put(ddk.clone(), body.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put(viewer.clone(), body.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        // text that does not read as a plan is refused with its location
        let broken = edited.replacen("[plan]", "[plan", 1);
        let r = put(
            bb.clone(),
            serde_json::json!({"base_version": 0, "text": broken}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["outcome"], "unreadable");
        assert!(
            v["findings"][0]["location"]
                .as_str()
                .unwrap()
                .contains("beibei.toml"),
            "{}",
            r.body
        );
        // the id is kept
        let renamed = edited.replacen(plan, "another-plan", 1);
        let r = put(
            bb.clone(),
            serde_json::json!({"base_version": 0, "text": renamed}),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("another-plan"), "{}", r.body);
        // a new lint error asks for confirmation: a part larger than its whole
        let bad = edited.replacen(r#"target = "4.5""#, r#"target = "40.5""#, 1);
        let r = put(
            bb.clone(),
            serde_json::json!({"base_version": 0, "text": bad}),
        )
        .await;
        let v = json_of(&r);
        if v["outcome"] == "confirm_findings" {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(!v["new_errors"].as_array().unwrap().is_empty());
        } else {
            // the lint does not call it an error: then the save is refused by nothing
            panic!(
                "expected a new lint error for a part above its whole: {}",
                r.body
            );
        }
        // nothing was stored by the refusals
        let history = json_of(&get(bb.clone(), format!("/api/plans/{plan}/versions")).await);
        assert_eq!(history.as_array().unwrap().len(), 1, "{history}");

        // the save: version 1, used by the evaluation at once
        let r = put(bb.clone(), body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["outcome"], "saved");
        assert_eq!(v["version"], 1);
        assert_eq!(evaluation_target(bb.clone()).await, "9.5");
        // everyone reads the saved plan's tables
        let tables = get(viewer.clone(), format!("/api/plans/{plan}")).await;
        assert!(tables.body.contains(r#""9.5""#), "{}", tables.body);
        let listed = json_of(&get(viewer.clone(), "/api/plans".into()).await);
        assert!(listed.as_array().unwrap().iter().any(|p| p["id"] == plan));

        // a save from the old text is stale: refused with what changed meanwhile
        let other = text.replacen(r#"target = "4.5""#, r#"target = "4.6""#, 1);
        let r = put(
            bb.clone(),
            serde_json::json!({"base_version": 0, "text": other}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["outcome"], "stale");
        assert_eq!(v["version"], 1);
        assert_eq!(v["user"], "bb_planner");
        assert!(r.body.contains(r#"target = \"9.5\""#), "{}", r.body);
        assert_eq!(evaluation_target(bb.clone()).await, "9.5");

        // history and diff
        let history = json_of(&get(viewer.clone(), format!("/api/plans/{plan}/versions")).await);
        let rows = history.as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["version"], 0);
        assert_eq!(rows[1]["user"], "bb_planner");
        assert_eq!(rows[1]["comment"], "新目标");
        let d = json_of(
            &get(
                viewer.clone(),
                format!("/api/plans/{plan}/diff?from=0&to=1"),
            )
            .await,
        );
        assert_eq!(
            (d["added"].as_u64(), d["removed"].as_u64()),
            (Some(1), Some(1))
        );
        let lines: Vec<&serde_json::Value> =
            d["hunks"][0]["lines"].as_array().unwrap().iter().collect();
        assert!(
            lines
                .iter()
                .any(|l| l["kind"] == "removed" && l["text"] == r#"target = "8.32""#)
        );
        assert!(
            lines
                .iter()
                .any(|l| l["kind"] == "added" && l["text"] == r#"target = "9.5""#)
        );
        let old = json_of(&get(viewer.clone(), format!("/api/plans/{plan}/versions/0")).await);
        assert_eq!(old["text"].as_str().unwrap(), text);
        let r = get(viewer.clone(), format!("/api/plans/{plan}/versions/7")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // the audit log has the save, within the planner's scope
        let audit = get(bb.clone(), "/api/audit".into()).await;
        assert!(audit.body.contains("plan.save"), "{}", audit.body);
    });
    // a restarted server reads the saved version
    let ws = Workspace::open_at(&StoreLocation::Postgres(fx._db.url().to_string())).unwrap();
    assert_eq!(ws.plans().version("beibei-14th-fyp"), 1);
    assert!(
        ws.plans()
            .get("beibei-14th-fyp")
            .unwrap()
            .text
            .contains(r#"target = "9.5""#)
    );
}

/// Regression (schemathesis, stop 22): the demo's dataset notes named the town and facilities
/// of its planted data faults, and dataset notes go to every reader — a 天生街道 clerk saw
/// 天府镇 in `/api/status`. Nothing a scoped reader asks about inside its scope may name
/// another town of the district.
#[test]
fn what_a_scoped_reader_sees_names_no_other_town() {
    let fx = fixture();
    let others: Vec<String> = hsplan_app::demo::batch()
        .unwrap()
        .units
        .iter()
        .map(|u| &u.value)
        .filter(|u| {
            u.level() == hsplan_model::AdminLevel::Town
                && u.code
                    .is_descendant_of(hsplan_model::AdminCode::parse("500109").unwrap())
                && u.code != hsplan_model::AdminCode::parse(IN).unwrap()
        })
        .map(|u| u.name.clone())
        .collect();
    assert_eq!(others.len(), 16);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let token = login(&fx.app, "viewer").await;
        let auth = format!("Bearer {token}");
        for uri in [
            "/api/status".to_string(),
            format!("/api/evaluations/report?plan=beibei-14th-fyp&year=2023&unit={IN}&format=html"),
            format!("/api/quality?year=2023&unit={IN}"),
            "/api/quality?year=2023".to_string(),
            "/api/exports/fhir".to_string(),
            "/api/exports/dhis2-metadata".to_string(),
        ] {
            let r = call(
                &fx.app,
                "GET",
                &uri,
                &[("authorization", auth.as_str())],
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
            for name in &others {
                assert!(!r.body.contains(name.as_str()), "{uri} names {name}");
            }
        }
    });
}
