//! A tiny load through the real binary: the server it spawns must deliver
//! every message exactly once. Speed is never asserted here, only that.

use std::process::Command;

#[test]
fn a_tiny_load_loses_and_duplicates_no_message() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("load.json");
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard-loadgen"))
        .args(["--idle", "50", "--conversations", "20", "--rate", "100", "--secs", "3", "--grace", "10"])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let traffic = &report["traffic"];
    assert_eq!(traffic["sent"], 300, "{stdout}");
    assert_eq!(traffic["lost"], 0, "{stdout}");
    assert_eq!(traffic["duplicated"], 0, "{stdout}");
    assert_eq!(traffic["errors"], 0, "{stdout}");
    assert_eq!(report["idle"]["held"], 50, "{stdout}");
}
