//! The admin list's bench through the real binary, on a few thousand
//! conversations: it seeds, starts the server and times every scenario,
//! each selecting rows. Speed is never asserted here, only that.

mod common;

#[test]
fn a_tiny_admin_list_bench_runs_every_scenario_on_rows_it_seeded() {
    let (report, stdout) = common::run(
        env!("CARGO_BIN_EXE_switchboard-admin-list"),
        &["--conversations", "3000", "--requests", "3", "--pages", "3"],
    );
    assert_eq!(report["conversations"], 3000, "{stdout}");
    assert!(report["messages"].as_u64().unwrap() > 9000, "{stdout}");
    let timings = report["timings"].as_array().unwrap();
    assert_eq!(timings.len(), 14, "{stdout}");
    for t in timings {
        let scenario = t["scenario"].as_str().unwrap();
        assert!(t["requests"].as_u64().unwrap() > 0, "{scenario}");
        // Every list scenario's first page has rows (the floors have none;
        // an order number or an agent's offered chats may match nothing).
        if !["floor", "order number", "offered"].iter().any(|s| scenario.contains(s)) {
            assert!(t["rows"].as_u64().unwrap() > 0, "{scenario}: {stdout}");
        }
    }
}
