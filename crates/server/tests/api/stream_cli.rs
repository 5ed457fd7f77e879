use std::process::Command;

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/streams")
}

#[test]
fn stream_check_passes_every_example_and_exits_zero() {
    let files: Vec<_> = std::fs::read_dir(examples()).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(files.len() >= 5);
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["stream", "check"])
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.contains(": ok: stream ")).count(), files.len(), "{stdout}");
}

#[test]
fn stream_check_prints_file_line_column_and_card_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"x\"\nname = \"X\"\n\n[[card]]\nid = \"lc\"\ntype = \"live_chat\"\nrouting = \"round_robin\"\nnext = \"lc\"\n",
    )
    .unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_switchboard")).args(["stream", "check"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{}:8:8: card lc: a live chat card is the last card of its branch", bad.display());
    assert!(stdout.starts_with(&expected), "{stdout}");
}

#[test]
fn stream_check_reports_a_missing_file_without_crashing() {
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["stream", "check", "/no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("/no/such/file.toml:1:1: stream:"));
}

#[test]
fn stream_show_prints_every_branch_of_the_tree() {
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["stream", "show"])
        .arg(examples().join("recommended.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let tree = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "[connect] question:",
        "- \"Yes, connect me\" (sets custom:wants_agent = yes)",
        "[email] capture email (email):",
        "[agent] live chat → round robin",
        "[bye] end: No problem.",
    ] {
        assert!(tree.contains(expected), "missing {expected:?} in\n{tree}");
    }
}
