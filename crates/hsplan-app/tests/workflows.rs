//! The application layer on the demo: workflows as values, one snapshot per read, imports
//! publishing a new snapshot, requests that travel as JSON, progress by stage, cancellation.

use hsplan_app::progress::{Cancel, Progress, Stage};
use hsplan_app::siting::{ModelKind, SitingRequest};
use hsplan_app::{AppError, Lang, Workspace};
use std::sync::Mutex;

#[derive(Default)]
struct Stages(Mutex<Vec<Stage>>);

impl Progress for Stages {
    fn report(&self, stage: Stage, _: u64, _: u64) {
        let mut v = self.0.lock().unwrap();
        if v.last() != Some(&stage) {
            v.push(stage);
        }
    }
}

#[test]
fn demo_workflows_as_values() {
    let dir = tempfile::tempdir().unwrap();
    let run = hsplan_app::demo::run(dir.path(), Lang::En).unwrap();
    let ws = Workspace::open(&run.db).unwrap();
    let snap = ws.snapshot();
    let status = hsplan_app::region::status(&snap);
    assert!(status.synthetic_data);
    assert_eq!(status.years, vec![2020, 2021, 2022, 2023, 2024]);

    // the evaluation through the app equals the one the demo wrote
    let e = hsplan_app::evaluation::evaluate(
        &ws.plans(),
        &snap.sys,
        &hsplan_app::evaluation::EvaluationRequest {
            plan: hsplan_app::demo::PLAN.into(),
            year: 2023,
            unit: None,
            mode: None,
        },
    )
    .unwrap();
    let written = std::fs::read_to_string(&run.years[0].json).unwrap();
    let again = serde_json::to_string_pretty(&hsplan_app::evaluation::json(&snap.sys, &e)).unwrap();
    assert!(again == written, "the evaluation differs from the demo's");

    // bad requests name their field
    match hsplan_app::region::unit_detail(&snap.sys, "abc", None) {
        Err(AppError::Invalid { field, .. }) => assert_eq!(field, "code"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        hsplan_app::region::unit_detail(&snap.sys, "520000", None),
        Err(AppError::NotFound(_))
    ));

    // a siting request travels as JSON and reports its stages in order
    let req = hsplan_app::demo::siting_request(&run.siting_dir, 3, 10.0, 1000.0, Lang::En);
    let back: SitingRequest = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
    assert_eq!(back, req);
    assert_eq!(back.model, ModelKind::Mclp);
    let stages = Stages::default();
    let solved = hsplan_app::siting::solve(&back, &stages, &Cancel::new()).unwrap();
    assert_eq!(solved.scenario.objective, run.siting.scenario.objective);
    assert_eq!(
        *stages.0.lock().unwrap(),
        vec![
            Stage::Reading,
            Stage::Candidates,
            Stage::Costs,
            Stage::Solving,
            Stage::Summarising,
            Stage::Done
        ]
    );
    // a cancelled run stops at its first check
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(matches!(
        hsplan_app::siting::solve(&back, &stages, &cancel),
        Err(AppError::Cancelled)
    ));

    // an import publishes a new snapshot; the old one is unchanged
    let before = ws.snapshot();
    let csv = "id,name,type,ownership,unit_code\nN1,新站,community_health_station,government,500109001000\n";
    let batch = hsplan_app::data::parse_upload(
        hsplan_app::data::UploadKind::Facilities,
        "new.csv",
        csv.as_bytes(),
        &before.sys,
    )
    .unwrap();
    let report = ws.import(&batch).unwrap();
    assert_eq!(report.facilities, 1);
    let after = ws.snapshot();
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.sys.facilities.len(), before.sys.facilities.len() + 1);
    // a refused import changes nothing
    let bad =
        "id,name,type,ownership,unit_code\nN2,坏,community_health_station,government,999999\n";
    let batch = hsplan_app::data::parse_upload(
        hsplan_app::data::UploadKind::Facilities,
        "bad.csv",
        bad.as_bytes(),
        &before.sys,
    )
    .unwrap();
    match ws.import(&batch) {
        Err(AppError::Input { problems, .. }) => {
            assert!(problems[0].contains("bad.csv"), "{problems:?}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.snapshot().version, after.version);
}
