//! Plan files: parse, then lint (no panic, no hang, whatever the text).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(plan) = hsplan_plan::load("f.toml", text) {
        let _ = hsplan_plan::lint(&plan);
        let _ = hsplan_plan::lint_against_parent(&plan, &plan);
    }
});
