//! `switchboard-admin-list`: times the admin's conversation list over a
//! million stored conversations and prints the figures; with `--serve DIR`,
//! is the server on that data directory (spawned by itself).

use clap::Parser;
use switchboard_loadgen::admin_list::{self, Options};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = Options::parse();
    if let Some(dir) = &opts.serve {
        tracing_subscriber::fmt()
            // The bundles are not served here: no warning about them.
            .with_env_filter(
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,switchboard_server::assets=error".into()),
            )
            .with_writer(std::io::stderr)
            .init();
        return admin_list::serve(dir).await;
    }
    let report = admin_list::run(&opts).await?;
    print!("{}", admin_list::table(&report));
    if let Some(path) = &opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
    }
    Ok(())
}
