//! `switchboard-cluster-bench`: nodes on PostgreSQL and NATS under load
//! (see `switchboard_loadgen::cluster`); with `--serve`, is one node
//! (spawned by itself).

use clap::Parser;
use switchboard_loadgen::cluster::{self, ClusterOptions};
use switchboard_loadgen::server::{self, NodeArgs};

#[derive(Debug, Parser)]
#[command(about = "Cluster bench: nodes on PostgreSQL and NATS, spawned and loaded")]
struct Cli {
    /// Be a node (internal: the bench spawns itself with this).
    #[arg(long, hide = true)]
    serve: bool,
    /// Load agents to seed (with --serve).
    #[arg(long, hide = true, default_value_t = 1)]
    agents: usize,
    /// Routing capacity per agent (with --serve).
    #[arg(long, hide = true, default_value_t = 10)]
    capacity: u32,
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    opts: ClusterOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if cli.serve {
        server::log_to_stderr();
        return server::serve(cli.agents, cli.capacity, &cli.node).await;
    }
    let report = cluster::run(&cli.opts).await?;
    print!("{}", cluster::table(&report));
    if let Some(path) = &cli.opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
    }
    Ok(())
}
