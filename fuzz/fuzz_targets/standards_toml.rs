//! Standards files: compile every rule.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = hsplan_standards::load("f.toml", text);
});
