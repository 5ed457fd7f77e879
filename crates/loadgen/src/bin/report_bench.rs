//! `switchboard-report-bench`: times the live chat report over a million
//! stored conversations and ten million facts, and what recording facts
//! costs delivery; prints the figures.

use clap::Parser;
use switchboard_loadgen::chat_report::{self, Options};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = Options::parse();
    let report = chat_report::run(&opts).await?;
    print!("{}", chat_report::table(&report));
    if let Some(path) = &opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
    }
    Ok(())
}
