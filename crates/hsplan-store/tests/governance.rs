//! The shared server's records in PostgreSQL: users and sessions, approval steps,
//! versioned saves, and the audit chain (with tampering detected).

use hsplan_govern::{ApprovalAction, ApprovalState, Grant, Role};
use hsplan_model::{
    AdminCode, AdminUnit, Count, Facility, FacilityId, FacilityYear, Labelled, Origin, Quantity,
    Sourced, Year,
};
use hsplan_store::postgres::{Actor, AuditQuery, SaveRefusal};
use hsplan_store::testdb::TestDb;
use hsplan_store::{ImportBatch, PgStore, Store, StoreError};

fn code(s: &str) -> AdminCode {
    AdminCode::parse(s).unwrap()
}

fn src<T>(value: T, row: usize) -> Sourced<T> {
    Sourced {
        origin: Origin {
            file: "r.csv".into(),
            row,
        },
        value,
    }
}

fn actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        address: "10.0.0.7".into(),
    }
}

fn fy(beds: u64) -> FacilityYear {
    let mut f = FacilityYear::new(FacilityId::new("F1").unwrap(), Year::new(2024).unwrap());
    f.quantities.insert(Quantity::Beds, Count(beds));
    f
}

fn seeded() -> (TestDb, PgStore) {
    let db = TestDb::new();
    let mut s = PgStore::open(db.url()).unwrap();
    let mut units = Vec::new();
    for (i, (c, n)) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500109", "北碚区"),
        ("500109001", "天生街道"),
        ("500110", "綦江区"),
    ]
    .iter()
    .enumerate()
    {
        units.push(src(AdminUnit::new(code(c), *n), i + 2));
    }
    let f = Facility {
        id: FacilityId::new("F1").unwrap(),
        name: "天生卫生院".into(),
        kind: hsplan_model::InstitutionType::all()[0],
        specialty: None,
        grade: hsplan_model::Grade::parse("一级甲等").unwrap(),
        ownership: hsplan_model::Ownership::Government,
        for_profit: None,
        unit: code("500109001"),
        location: None,
        opened: None,
        closed: None,
    };
    s.import(&ImportBatch {
        units,
        facilities: vec![src(f, 2)],
        facility_years: vec![src(fy(10), 2)],
        ..Default::default()
    })
    .unwrap();
    (db, s)
}

#[test]
fn users_grants_sessions() {
    let (_db, s) = seeded();
    let hash = hsplan_govern::secrets::hash_password("a long enough secret").unwrap();
    s.add_user("clerk", &hash, &Actor::cli()).unwrap();
    assert!(matches!(
        s.add_user("clerk", &hash, &Actor::cli()),
        Err(StoreError::Refused(_))
    ));
    s.grant(
        "clerk",
        Grant {
            role: Role::DataEntry,
            unit: code("500109"),
        },
        &Actor::cli(),
    )
    .unwrap();
    assert!(matches!(
        s.grant(
            "nobody",
            Grant {
                role: Role::Viewer,
                unit: code("50")
            },
            &Actor::cli()
        ),
        Err(StoreError::NotFound(_))
    ));
    let users = s.users().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        users[0].grants,
        vec![Grant {
            role: Role::DataEntry,
            unit: code("500109")
        }]
    );
    let stored = s.password_hash("clerk").unwrap().unwrap();
    assert!(hsplan_govern::secrets::verify_password(
        &stored,
        "a long enough secret"
    ));

    let token = hsplan_govern::secrets::new_token().unwrap();
    let digest = hsplan_govern::secrets::token_digest(&token);
    s.create_session(
        "clerk",
        &digest,
        "csrf1",
        hsplan_store::postgres::now_ms() + 60_000,
        "10.0.0.7",
    )
    .unwrap();
    let live = s.session(&digest).unwrap().unwrap();
    assert_eq!(live.principal.user, "clerk");
    assert_eq!(live.csrf, "csrf1");
    // a password change ends every session
    s.set_password(
        "clerk",
        &hsplan_govern::secrets::hash_password("another long secret").unwrap(),
        &Actor::cli(),
    )
    .unwrap();
    assert!(s.session(&digest).unwrap().is_none());
    // an expired session is no session
    s.create_session(
        "clerk",
        "d2",
        "c",
        hsplan_store::postgres::now_ms() - 1,
        "x",
    )
    .unwrap();
    assert!(s.session("d2").unwrap().is_none());
    s.revoke(
        "clerk",
        Grant {
            role: Role::DataEntry,
            unit: code("500109"),
        },
        &Actor::cli(),
    )
    .unwrap();
    assert!(s.users().unwrap()[0].grants.is_empty());
}

#[test]
fn versions_refuse_stale_saves_and_approval_closes_entry() {
    let (_db, s) = seeded();
    let id = FacilityId::new("F1").unwrap();
    let y = Year::new(2024).unwrap();
    let (stored, v) = s.facility_year(&id, y).unwrap().unwrap();
    assert_eq!(stored, fy(10));
    assert_eq!(v, 1);
    assert_eq!(
        s.save_facility_year(&fy(12), v, &actor("a"))
            .unwrap()
            .unwrap(),
        2
    );
    // b read version 1 too: refused, shown what is stored now
    match s.save_facility_year(&fy(13), v, &actor("b")).unwrap() {
        Err(SaveRefusal::Stale {
            version: 2,
            current: Some(c),
        }) => assert_eq!(c, fy(12)),
        other => panic!("{other:?}"),
    }
    // submitted at district level: closed for the whole subtree
    s.change_approval(code("500109"), y, ApprovalAction::Submit, None, &actor("a"))
        .unwrap();
    match s.save_facility_year(&fy(14), 2, &actor("a")).unwrap() {
        Err(SaveRefusal::NotEditable {
            state: ApprovalState::Submitted,
            unit,
        }) => assert_eq!(unit, code("500109")),
        other => panic!("{other:?}"),
    }
    // and imports of that year are refused, located
    let err = s
        .import_audited(
            &ImportBatch {
                facility_years: vec![src(fy(20), 9)],
                ..Default::default()
            },
            &actor("a"),
            "import",
            "r.csv",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("r.csv, row 9, column `year`"), "{err}");
    assert!(err.contains("submitted"), "{err}");
    // approve, lock; unlock needs a reason
    s.change_approval(
        code("500109"),
        y,
        ApprovalAction::Approve,
        None,
        &actor("boss"),
    )
    .unwrap();
    s.change_approval(
        code("500109"),
        y,
        ApprovalAction::Lock,
        None,
        &actor("boss"),
    )
    .unwrap();
    assert!(matches!(
        s.change_approval(
            code("500109"),
            y,
            ApprovalAction::Unlock,
            Some("  "),
            &actor("boss")
        ),
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        s.change_approval(
            code("500109"),
            y,
            ApprovalAction::Approve,
            None,
            &actor("boss")
        ),
        Err(StoreError::Refused(_))
    ));
    let r = s
        .change_approval(
            code("500109"),
            y,
            ApprovalAction::Unlock,
            Some("beds miscounted"),
            &actor("boss"),
        )
        .unwrap();
    assert_eq!(r.state, ApprovalState::Draft);
    assert_eq!(
        s.save_facility_year(&fy(14), 2, &actor("a"))
            .unwrap()
            .unwrap(),
        3
    );
    assert_eq!(s.approvals().unwrap().len(), 1);
}

#[test]
fn the_audit_chain_records_every_step_and_detects_tampering() {
    let (db, s) = seeded();
    let y = Year::new(2024).unwrap();
    s.save_facility_year(&fy(12), 1, &actor("clerk"))
        .unwrap()
        .unwrap();
    s.change_approval(
        code("500109"),
        y,
        ApprovalAction::Submit,
        None,
        &actor("clerk"),
    )
    .unwrap();
    let all = s.audit_records(&AuditQuery::default()).unwrap();
    let actions: Vec<&str> = all.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["import", "facility_year.save", "approval.submit"]);
    let save = &all[1];
    assert_eq!(save.actor, "clerk");
    assert_eq!(save.address, "10.0.0.7");
    assert!(
        save.before.contains("10") && save.after.contains("12"),
        "{save:?}"
    );
    assert_eq!(s.verify_audit().unwrap(), Ok(3));

    // scope: a Beibei reader sees Beibei's records, a Qijiang reader none
    let beibei = s
        .audit_records(&AuditQuery {
            within: Some(vec![code("500109")]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(beibei.len(), 2);
    let qijiang = s
        .audit_records(&AuditQuery {
            within: Some(vec![code("500110")]),
            ..Default::default()
        })
        .unwrap();
    assert!(qijiang.is_empty());

    // the log refuses changes…
    let e = db
        .execute_as_admin("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
        .unwrap_err();
    assert!(format!("{e:?}").contains("append-only"), "{e:?}");
    assert!(
        db.execute_as_admin("DELETE FROM audit_log WHERE seq = 3")
            .is_err()
    );
    // …and a superuser who goes around the trigger is found out
    db.execute_as_admin(
        "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET after = replace(after, '12', '99') WHERE seq = 2; ALTER TABLE audit_log ENABLE TRIGGER USER;",
    )
    .unwrap();
    let broken = s.verify_audit().unwrap().unwrap_err();
    assert_eq!(broken.seq, 2, "{broken}");
}

#[test]
fn a_cut_off_log_is_found_out() {
    let (db, s) = seeded();
    s.save_facility_year(&fy(12), 1, &actor("clerk"))
        .unwrap()
        .unwrap();
    db.execute_as_admin("ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log WHERE seq = 2; ALTER TABLE audit_log ENABLE TRIGGER USER;")
        .unwrap();
    assert!(s.verify_audit().unwrap().is_err());
}

#[test]
fn reopening_migrates_nothing_twice_and_a_newer_schema_is_refused() {
    let (db, s) = seeded();
    assert_eq!(s.schema_version().unwrap(), 6);
    let again = PgStore::open(db.url()).unwrap();
    assert_eq!(again.counts().unwrap().facilities, 1);
    db.execute_as_admin("UPDATE hsplan_schema SET version = 99")
        .unwrap();
    assert!(matches!(
        PgStore::open(db.url()),
        Err(StoreError::NewerSchema { found: 99, .. })
    ));
}

#[test]
fn plan_versions_follow_each_other_and_are_audited() {
    let (_db, s) = seeded();
    let v = hsplan_store::PlanVersion {
        plan: "p".into(),
        version: 0,
        user: "planner".into(),
        at_ms: 0,
        comment: "first".into(),
        errors: 1,
        warnings: 2,
        text: "[plan]\nid = \"p\"\n".into(),
    };
    let first = s
        .save_plan_version(&v, 0, None, &actor("planner"))
        .unwrap()
        .unwrap();
    assert_eq!(first.version, 1);
    // a save from the built-in text again is refused with the newest version
    assert_eq!(
        s.save_plan_version(&v, 0, None, &actor("other")).unwrap(),
        Err(1)
    );
    let second = hsplan_store::PlanVersion {
        text: "changed".into(),
        ..v.clone()
    };
    assert_eq!(
        s.save_plan_version(&second, 1, None, &actor("planner"))
            .unwrap()
            .unwrap()
            .version,
        2
    );
    let listed = s.plan_versions("p").unwrap();
    assert_eq!(
        listed.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(
        listed
            .iter()
            .all(|v| v.text.is_empty() && v.errors == 1 && v.warnings == 2)
    );
    assert_eq!(s.plan_version("p", 1).unwrap().unwrap().text, v.text);
    assert_eq!(s.plan_version("p", 3).unwrap(), None);
    let latest = s.latest_plan_versions().unwrap();
    assert_eq!(
        (latest.len(), latest[0].version, latest[0].text.as_str()),
        (1, 2, "changed")
    );
    let saves = s
        .audit_records(&AuditQuery {
            after: 0,
            limit: 100,
            within: None,
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "plan.save")
        .count();
    assert_eq!(saves, 2);
    assert!(s.verify_audit().unwrap().is_ok());
}
