//! A tiny load through the real binary: the server it spawns must deliver
//! every message exactly once. Speed is never asserted here, only that.

mod common;

#[test]
fn a_tiny_load_loses_and_duplicates_no_message() {
    let (report, stdout) = common::run(
        env!("CARGO_BIN_EXE_switchboard-loadgen"),
        &["--idle", "50", "--conversations", "20", "--rate", "100", "--secs", "3", "--grace", "10"],
    );
    let traffic = &report["traffic"];
    assert_eq!(traffic["sent"], 300, "{stdout}");
    assert_eq!(traffic["lost"], 0, "{stdout}");
    assert_eq!(traffic["duplicated"], 0, "{stdout}");
    assert_eq!(traffic["errors"], 0, "{stdout}");
    assert_eq!(report["idle"]["held"], 50, "{stdout}");
}
