//! Running a bench binary the way `cargo xtask bench` does.

use std::process::Command;

/// Runs the binary at `bin` with `args` and `--json FILE`: its JSON report
/// and its standard output (it must succeed: else both outputs are shown).
pub fn run(bin: &str, args: &[&str]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = Command::new(bin).args(args).arg("--json").arg(&json).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (report, stdout)
}
