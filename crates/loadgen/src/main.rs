//! `switchboard-loadgen`: runs the load phases and prints their figures;
//! with `--serve`, is the server under load (spawned by itself).

use clap::Parser;
use switchboard_loadgen::{report, server, Options};

#[derive(Debug, Parser)]
#[command(about = "Load generator: idle sockets and message traffic against a spawned server")]
struct Cli {
    /// Be the server (internal: the generator spawns itself with this).
    #[arg(long, hide = true)]
    serve: bool,
    /// Routing capacity per agent (with --serve).
    #[arg(long, hide = true, default_value_t = 10)]
    capacity: u32,
    #[command(flatten)]
    node: server::NodeArgs,
    #[command(flatten)]
    opts: Options,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if cli.serve {
        server::log_to_stderr();
        return server::serve(cli.opts.agents.unwrap_or(1), cli.capacity, &cli.node).await;
    }
    let report = switchboard_loadgen::run(&cli.opts).await?;
    print!("{}", report::table(&report));
    if let Some(path) = &cli.opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
    }
    Ok(())
}
