//! The crates depend along the data flow only: model → plan → indicators/evaluation
//! → access/siting → store/io → report → application layer → server → CLI. A dependency against the flow,
//! or any dependency of the model crate on another hsplan crate, fails this test.

use std::process::Command;

/// Layer of each workspace crate; a crate may depend only on crates of a lower layer
/// (store, io and records share a layer and may not depend on each other).
fn layer(name: &str) -> Option<u8> {
    Some(match name {
        "hsplan-model" => 0,
        "hsplan-plan" | "hsplan-govern" => 1,
        "hsplan-eval" => 2,
        "hsplan-access" | "hsplan-siting" | "hsplan-synth" | "hsplan-standards" => 3,
        "hsplan-store" | "hsplan-io" | "hsplan-records" => 4,
        "hsplan-report" => 5,
        "hsplan-app" => 6,
        "hsplan-server" => 7,
        "hsplan-cli" => 8,
        _ => return None,
    })
}

#[test]
fn dependencies_follow_the_data_flow() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    assert!(packages.len() >= 4);
    for p in packages {
        let name = p["name"].as_str().unwrap();
        let own = layer(name).unwrap_or_else(|| {
            panic!("crate {name} has no layer: add it to this test and ARCHITECTURE.md")
        });
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap();
            if d["kind"].as_str() == Some("dev") {
                continue;
            }
            if let Some(dep_layer) = layer(dep) {
                assert!(
                    dep_layer < own,
                    "{name} (layer {own}) depends on {dep} (layer {dep_layer}) against the data flow"
                );
            } else {
                assert!(
                    !dep.starts_with("hsplan"),
                    "{dep} is an hsplan crate without a layer"
                );
            }
        }
        if name == "hsplan-model" {
            for d in p["dependencies"].as_array().unwrap() {
                let dep = d["name"].as_str().unwrap();
                assert!(
                    ["serde", "thiserror"].contains(&dep),
                    "the pure model crate may not depend on {dep} (no IO, no async)"
                );
            }
        }
    }
}
