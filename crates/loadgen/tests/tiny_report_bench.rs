//! The report bench through the real binary, on a few thousand
//! conversations: it seeds them with their facts, reports over both ranges
//! and appends both ways. Speed is never asserted here, only that, and
//! that the report counted every conversation it seeded in its range.

mod common;

#[test]
fn a_tiny_report_bench_counts_every_seeded_conversation_and_times_both_appends() {
    let (report, stdout) = common::run(
        env!("CARGO_BIN_EXE_switchboard-report-bench"),
        &["--conversations", "3000", "--runs", "2", "--appends", "40"],
    );
    assert_eq!(report["conversations"], 3000, "{stdout}");
    let events = report["events"].as_u64().unwrap();
    assert!((25_000..35_000).contains(&events), "about 10 facts a conversation: {stdout}");
    let ranges = report["ranges"].as_array().unwrap();
    assert_eq!(ranges.len(), 2, "{stdout}");
    // The year holds every seeded conversation; the last week some.
    assert_eq!(
        (ranges[0]["conversations"].as_u64(), ranges[0]["events"].as_u64()),
        (Some(3000), Some(events))
    );
    for r in ranges {
        assert!(r["conversations"].as_u64().unwrap() > 0, "{stdout}");
        assert_eq!(r["requested"], r["conversations"], "{stdout}");
        for t in ["floor_count", "floor_read", "report"] {
            assert!(r[t]["median_ms"].as_f64().unwrap() >= 0.0, "{t}: {stdout}");
        }
    }
    let delivery = &report["delivery"];
    assert_eq!(delivery["messages"], 40, "{stdout}");
    assert!(
        delivery["agent_per_s"].as_f64().unwrap() > 0.0 && delivery["visitor_per_s"].as_f64().unwrap() > 0.0
    );
}
