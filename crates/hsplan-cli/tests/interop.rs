//! DHIS2 data values in and out of the demo store through the example mapping: merged into
//! the facility-years the store holds, exported with indicators and statuses, read back
//! unchanged; bad files refused with their place, the store untouched.

mod common;
use common::*;
use std::path::Path;

fn resources(db: &Path, dir: &Path, name: &str) -> String {
    let out = dir.join(name);
    hsplan(db)
        .args(["export", "resources", "--out"])
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn dhis2_data_values_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let demo = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(demo.status.success());
    let db = dir.path().join("demo.db");
    let mapping = repo_root().join("examples/dhis2/mapping.toml");
    let before = resources(&db, dir.path(), "r0.csv");

    // in: merged; the unmapped element and the deleted value are counted, not stored
    let out = hsplan(&db)
        .args(["import", "dhis2", "--mapping"])
        .arg(&mapping)
        .arg(repo_root().join("examples/dhis2/datavalues-2024.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("DHIS2 data values: 5; imported 3; skipped: 1 marked deleted"),
        "{text}"
    );
    assert!(text.contains("hsMalariaCases.HllvX50cXC0 1"), "{text}");
    let after = resources(&db, dir.path(), "r1.csv");
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "SYN001 and SYN030 in 2024 only");
    let header: Vec<&str> = before.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (a, b) in &changed {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        for (i, h) in header.iter().enumerate() {
            if a[i] != b[i] {
                assert!(["beds", "outpatient_visits"].contains(h), "{h} changed");
            }
        }
        if b[0] == "SYN001" {
            assert_eq!(
                (b[col("beds")], b[col("outpatient_visits")]),
                ("985", "612000")
            );
        } else {
            assert_eq!(b[col("outpatient_visits")], "31250");
        }
    }

    // out: quantities per facility, the district's indicators and the plan row's status
    for format in ["json", "csv"] {
        let file = dir.path().join(format!("dv.{format}"));
        hsplan(&db)
            .args(["export", "dhis2", "--year", "2024", "--mapping"])
            .arg(&mapping)
            .arg("--out")
            .arg(&file)
            .assert()
            .success();
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [
            "hsBedsPer1000",
            "hsDoctorsPer1000",
            "hsStatusBeds",
            "DiszpKrYNg8",
            "Rp268JB6Ne4",
            "612000",
        ] {
            assert!(text.contains(needle), "{format}: {needle}");
        }
        // read back: nothing changes
        let out = hsplan(&db)
            .args(["import", "dhis2", "--mapping"])
            .arg(&mapping)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("3 indicators and statuses hsplan computes")
        );
        assert_eq!(resources(&db, dir.path(), "r2.csv"), after);
    }

    // bad files: every problem located, nothing stored
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
         hsBedsActual,202401,Rp268JB6Ne4,,,10\n\
         hsBedsActual,2024,NoSuchUid01,,,10\n\
         hsBedsActual,2024,DiszpKrYNg8,,,10\n\
         hsOpdVisits,2024,Rp268JB6Ne4,,,-5\n\
         hsBedsActual,2024,Rp268JB6Ne4,,,1\n\
         hsBedsActual,2024,Rp268JB6Ne4,,,2\n",
    )
    .unwrap();
    let out = hsplan(&db)
        .args(["import", "dhis2", "--mapping"])
        .arg(&mapping)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "bad.csv, row 2, period: `202401` is not a year",
        "bad.csv, row 3, orgUnit: `NoSuchUid01` is neither in the mapping's [org_units] nor a facility id of the store",
        "bad.csv, row 4, orgUnit: `500109` is no facility in the store",
        "bad.csv, row 5, value: `-5`",
        "bad.csv, row 7: beds of this facility and year again (first at row 6)",
    ] {
        assert!(err.contains(needle), "{needle}\n{err}");
    }
    assert!(!err.contains("panicked"));
    assert_eq!(resources(&db, dir.path(), "r3.csv"), after);
    // DHIS2 metadata out and into an empty store: the same facilities (id, name, type, unit,
    // place; grade and ownership are not DHIS2 metadata) and units
    let meta = dir.path().join("meta.json");
    hsplan(&db)
        .args(["export", "dhis2-metadata", "--unit", "500109", "--out"])
        .arg(&meta)
        .assert()
        .success();
    let fresh = dir.path().join("fresh.db");
    hsplan(&fresh)
        .args(["import", "dhis2-metadata"])
        .arg(&meta)
        .assert()
        .success();
    let key = |db: &Path, name: &str| -> Vec<String> {
        let out = dir.path().join(name);
        hsplan(db)
            .args(["export", "facilities", "--out"])
            .arg(&out)
            .assert()
            .success();
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            // the header and Beibei's facilities (the metadata's subtree)
            .filter(|l| {
                l.starts_with("id,") || l.split(',').nth(3).is_some_and(|u| u.starts_with("500109"))
            })
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                [c[0], c[1], c[2], c[7], c[8], c[9], c[10]].join(",")
            })
            .collect()
    };
    assert_eq!(key(&db, "f0.csv"), key(&fresh, "f1.csv"));
    // a mapping naming what hsplan does not know
    let m = dir.path().join("m.toml");
    std::fs::write(
        &m,
        "[[data_elements]]\ndata_element = \"x\"\nquantity = \"castles\"\n",
    )
    .unwrap();
    let out = hsplan(&db)
        .args([
            "export",
            "dhis2",
            "--year",
            "2024",
            "--out",
            "x.json",
            "--mapping",
        ])
        .arg(&m)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("data_elements[1] (x): `castles`"));
}
