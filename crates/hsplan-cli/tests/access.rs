//! `hsplan access` end to end on the real Monaco extract.

use std::path::Path;

fn hsplan() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hsplan").unwrap()
}

fn pbf() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/osm/monaco.osm.pbf")
}

#[test]
fn monaco_graph_coverage_e2sfca_isochrones() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    for (profile, file) in [("car-urban", "car.hsg"), ("walk", "walk.hsg")] {
        let out = hsplan()
            .args(["access", "graph", "build"])
            .arg(pbf())
            .args(["--profile", profile, "--out"])
            .arg(p(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("largest strongly connected component"),
            "{text}"
        );
    }
    hsplan()
        .args(["access", "facilities"])
        .arg(pbf())
        .arg("--out")
        .arg(p("fac.csv"))
        .assert()
        .success();
    let fac = std::fs::read_to_string(p("fac.csv")).unwrap();
    assert!(
        fac.lines().filter(|l| l.contains(",hospital,")).count() >= 5,
        "{fac}"
    );
    // Coverage of the hospitals and clinics by car, JSON.
    let out = hsplan()
        .args(["access", "coverage", "--graph"])
        .arg(p("car.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args([
            "--kinds",
            "hospital,clinic",
            "--demand-grid",
            "200",
            "--thresholds",
            "2,5,10",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["synthetic_demand"], true);
    let shares: Vec<f64> = json["coverage"]["total"]["share_pct"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(shares.len(), 3);
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "coverage grows with the threshold: {shares:?}"
    );
    assert!(shares[2] > 0.0 && shares[0] < 100.0);
    // E2SFCA and isochrones.
    hsplan()
        .args(["access", "e2sfca", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--demand-grid", "200", "--out"])
        .arg(p("a.csv"))
        .assert()
        .success();
    let a = std::fs::read_to_string(p("a.csv")).unwrap();
    assert!(a.lines().count() > 50);
    hsplan()
        .args(["access", "isochrones", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--kinds", "hospital", "--thresholds", "5,10", "--out"])
        .arg(p("iso.geojson"))
        .assert()
        .success();
    let iso: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("iso.geojson")).unwrap()).unwrap();
    let features = iso["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    for f in features {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        for poly in f["geometry"]["coordinates"].as_array().unwrap() {
            for ring in poly.as_array().unwrap() {
                let r = ring.as_array().unwrap();
                assert!(r.len() >= 4 && r.first() == r.last(), "closed rings");
            }
        }
    }
    // A corrupt graph file is refused with its name.
    std::fs::write(p("bad.hsg"), b"HSPLGRPH garbage").unwrap();
    let out = hsplan()
        .args(["access", "coverage", "--graph"])
        .arg(p("bad.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--demand-grid", "200"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.hsg"));
}

/// Regression: absurd numbers were accepted (negative thresholds, dispatch and snap
/// distance; an isochrone raster of 1 cm that tried to allocate ~74 GB and aborted).
/// They are now refused, each with the field named, before any work is done.
#[test]
fn absurd_access_options_are_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    hsplan()
        .args(["access", "graph", "build"])
        .arg(pbf())
        .args(["--profile", "walk", "--out"])
        .arg(p("walk.hsg"))
        .assert()
        .success();
    hsplan()
        .args(["access", "facilities"])
        .arg(pbf())
        .arg("--out")
        .arg(p("fac.csv"))
        .assert()
        .success();
    let base = |extra: &[&str]| {
        let mut c = hsplan();
        c.args(["--lang", "en", "access", "coverage", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p("fac.csv"))
            .args(["--demand-grid", "300"])
            .args(extra);
        c.output().unwrap()
    };
    for (extra, field) in [
        (&["--thresholds=-5"][..], "thresholds"),
        (&["--thresholds", "NaN"][..], "thresholds"),
        (
            &["--thresholds", "5", "--dispatch-min=-100"][..],
            "dispatch_min",
        ),
        (&["--thresholds", "5", "--max-snap-m=-1"][..], "max_snap_m"),
        (&["--thresholds", "5", "--walk-kmh", "0"][..], "walk_kmh"),
    ] {
        let out = base(extra);
        assert!(!out.status.success(), "{extra:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field), "{extra:?}: {err}");
    }
    // E2SFCA decays that gave all zeros with exit 0
    for decay in ["gaussian:0", "gaussian:-5", "steps:NaN=1", "steps:10=2"] {
        let out = hsplan()
            .args(["access", "e2sfca", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p("fac.csv"))
            .args(["--demand-grid", "300", "--decay", decay, "--out"])
            .arg(p("e.csv"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{decay} was accepted");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("decay"),
            "{decay}"
        );
    }
    let out = hsplan()
        .args(["access", "isochrones", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--thresholds", "5", "--cell-m", "0.01", "--out"])
        .arg(p("iso.geojson"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cell_m"));
    assert!(!p("iso.geojson").exists());
}
