//! `switchboard db copy` as an operator runs it, on a data directory the
//! demo seeded. The copy needs a PostgreSQL server: it runs in the
//! postgres suite (`cargo xtask test` sets `SWITCHBOARD_TEST_POSTGRES`);
//! elsewhere the test checks the refusal of a target that is not
//! PostgreSQL and says on stderr that the copy was not run.

use switchboard_server::store::scratch;

use crate::admin_cli::{stdout, switchboard};

/// What a command that failed wrote on stderr.
fn refused(o: &std::process::Output) -> String {
    assert!(!o.status.success(), "succeeded: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn the_demo_installation_moves_to_postgres_once_and_a_second_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&switchboard(d, &["demo", "seed", "--origin", "http://localhost:8081"]));
    let from = format!("sqlite://{}", d.join("switchboard.db").display());

    let to_sqlite = format!("sqlite://{}", d.join("copy.db").display());
    let error = refused(&switchboard(d, &["db", "copy", "--from", &from, "--to", &to_sqlite]));
    assert!(error.contains("--to must be a PostgreSQL database"), "{error}");
    if !scratch::on_postgres() {
        eprintln!(
            "not copied: no PostgreSQL server ({} unset); the postgres suite of `cargo xtask test` runs the copy",
            scratch::POSTGRES_VAR
        );
        return;
    }

    let to = scratch::database_url(d).await;
    let copied = switchboard(d, &["db", "copy", "--from", &from, "--to", &to]);
    let report = stdout(&copied);
    assert!(report.contains("every count and checksum equal"), "{report}");
    for table in ["sites", "site_origins", "agents", "streams", "stream_versions", "stream_releases"] {
        let line = report.lines().find(|l| l.split_whitespace().next() == Some(table)).unwrap();
        assert!(line.contains(" ok "), "{line}");
    }
    let progress = String::from_utf8_lossy(&copied.stderr);
    assert!(progress.contains("copied agents"), "{progress}");

    // The target is the installation now: the command line reads it.
    let agents = stdout(&switchboard(d, &["--database", &to, "agent", "list"]));
    assert!(agents.contains("ada@example.com") && agents.contains("grace@example.com"), "{agents}");
    let sites = stdout(&switchboard(d, &["--database", &to, "site", "list"]));
    assert!(sites.contains("http://localhost:8081"), "{sites}");

    let error = refused(&switchboard(d, &["db", "copy", "--from", &from, "--to", &to]));
    assert!(error.contains("not empty (table sites has rows)") && error.contains("wrote nothing"), "{error}");
    assert_eq!(stdout(&switchboard(d, &["--database", &to, "agent", "list"])), agents);
}
