//! The `switchboard` command: `serve` runs the server; the other subcommands
//! administer it.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use switchboard_protocol::admin::Origin;
use switchboard_protocol::site::SiteKey;
use switchboard_server::admin::AdminError;
use switchboard_server::admin_cli::{
    self, AgentCommand, CannedCommand, ConversationCommand, PublishCommand, RuleCommand, SiteCommand,
    TeamCommand,
};
use switchboard_server::config::Settings;
use switchboard_server::report_cli::{self, ReportCommand};
use switchboard_server::startup::Application;
use switchboard_server::store::{copy, Store};
use switchboard_server::stream_designer_cli::{self, DraftCommand};
use switchboard_server::Clock;
use switchboard_server::{demo, shutdown, stream_cli};

/// Self-hosted live chat for websites.
#[derive(Parser)]
#[command(name = "switchboard", version)]
struct Cli {
    /// Settings file (TOML); `SWITCHBOARD_*` environment variables override it.
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
    /// The database: `sqlite://PATH` (the default is `switchboard.db` in the
    /// data directory) or `postgres://USER:PASSWORD@HOST:PORT/NAME`; beats
    /// `SWITCHBOARD_DATABASE_URL` and the settings file.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Run as one node of several: the NATS server that tells the nodes of
    /// each other's changes (`nats://HOST:PORT`); needs a PostgreSQL
    /// `--database` shared by every node. Beats `SWITCHBOARD_NATS_URL`.
    #[arg(long, global = true, value_name = "URL")]
    nats: Option<String>,
    /// This node's name in a cluster (default: random). Beats
    /// `SWITCHBOARD_NODE_ID`.
    #[arg(long, global = true, value_name = "NAME")]
    node_id: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP and WebSocket server.
    Serve {
        /// Serve the browser bundles (`widget/`, `inbox/`, `admin/`, as
        /// `cargo xtask build` writes them) from DIR, not those built into
        /// this binary; also `assets_dir` in the settings file or
        /// SWITCHBOARD_ASSETS_DIR. Default: the built-in bundles; target/dist
        /// for a binary built without them (`cargo build`)
        #[arg(long, value_name = "DIR")]
        assets_dir: Option<PathBuf>,
    },
    /// Stream files: check, show, publish, list, remove; drafts: pull, push; releases, restore.
    Stream {
        #[command(subcommand)]
        command: StreamCommand,
    },
    /// Sites: add, list, update, remove.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Agents: add (or invite), list, update, schedule, invite, reset-password, remove.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Teams: add, list, update, remove.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Shared canned responses: add, list, update, remove.
    Canned {
        #[command(subcommand)]
        command: CannedCommand,
    },
    /// Custom routing rules: add (or replace), list, remove; account routes.
    Rule {
        #[command(subcommand)]
        command: RuleCommand,
    },
    /// Conversations: explain how one was routed.
    Conversation {
        #[command(subcommand)]
        command: ConversationCommand,
    },
    /// Reports: live chat figures per agent, team, site, day or week, or
    /// one row per conversation; as a table, CSV or JSON.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// The demo data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// The database: copy a single-node installation to PostgreSQL.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Copy a SQLite database into an empty PostgreSQL one: every
    /// conversation, message, agent and setting, in one transaction,
    /// compared table by table (counts and checksums) before it is
    /// committed. Stop the server first: what it writes during the copy is
    /// not copied.
    Copy {
        /// The SQLite database: sqlite://PATH (brought up to this
        /// version's schema first).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The PostgreSQL database, created and empty:
        /// postgres://USER:PASSWORD@HOST:PORT/NAME.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Name a new epoch after restoring the database from a backup (or
    /// promoting a replica that may lack the last commits): every widget
    /// and inbox that comes back holding the old one is sent its
    /// conversations again from the start, so sequence numbers the
    /// restored database hands out anew never hide a message.
    NewEpoch,
}

#[derive(Subcommand)]
enum StreamCommand {
    /// Validate stream files; print each problem as FILE:LINE:COL: card ID: message.
    Check {
        /// Stream files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a stream file as a tree.
    Show {
        /// A stream file (TOML).
        file: PathBuf,
    },
    #[command(flatten)]
    Publishing(PublishCommand),
    #[command(flatten)]
    Designing(DraftCommand),
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Create the demo site and accounts unless they exist; print the new
    /// passwords (they are shown only this once).
    Seed {
        /// An origin the demo site's widget may run on (repeatable).
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "switchboard_server=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut cli = Cli::parse();
    if let Command::Stream { command: command @ (StreamCommand::Check { .. } | StreamCommand::Show { .. }) } =
        &cli.command
    {
        return stream(command);
    }
    if let Command::Db { command: DbCommand::Copy { from, to } } = &cli.command {
        return db_copy(from, to).await;
    }
    let mut settings = Settings::load(cli.config.as_deref()).context("loading settings")?;
    if let Some(url) = cli.database.take() {
        settings.database_url = Some(url);
    }
    if let Some(url) = cli.nats.take() {
        settings.cluster.nats_url = Some(url);
    }
    if let Some(id) = cli.node_id.take() {
        settings.cluster.node_id = Some(id);
    }
    match cli.command {
        Command::Serve { assets_dir } => {
            settings.assets_dir = assets_dir.or(settings.assets_dir);
            serve(settings).await
        }
        Command::Demo { command: DemoCommand::Seed { origins } } => seed(settings, origins).await,
        Command::Stream { command: StreamCommand::Publishing(cmd) } => {
            admin_command(settings, |store| {
                Box::pin(async move { admin_cli::publish(&store, cmd, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Stream { command: StreamCommand::Designing(cmd) } => {
            admin_command(settings, |store| {
                Box::pin(async move { stream_designer_cli::run(&store, cmd, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Db { command: DbCommand::NewEpoch } => {
            admin_command(settings, |store| {
                Box::pin(async move {
                    let epoch = switchboard_server::auth::random_token()[..16].to_owned();
                    store.set_epoch(&epoch).await?;
                    Ok(format!("New epoch {epoch}: clients resync as they come back.\n"))
                })
            })
            .await
        }
        Command::Stream { .. } | Command::Db { command: DbCommand::Copy { .. } } => {
            unreachable!("handled above")
        }
        Command::Report { command } => {
            admin_command(settings, |store| {
                Box::pin(async move { report_cli::run(&store, command, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Site { command } => {
            admin_command(settings, |store| {
                Box::pin(async move { admin_cli::site(&store, command, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Rule { command } => {
            admin_command(settings, |store| Box::pin(async move { admin_cli::rule(&store, command).await }))
                .await
        }
        Command::Canned { command } => {
            admin_command(settings, |store| {
                Box::pin(async move { admin_cli::canned(&store, command, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Team { command } => {
            admin_command(settings, |store| Box::pin(async move { admin_cli::team(&store, command).await }))
                .await
        }
        Command::Agent { command } => {
            let s = settings.clone();
            admin_command(settings, |store| {
                Box::pin(async move { admin_cli::agent(&store, command, &s, Clock::system().now_ms()).await })
            })
            .await
        }
        Command::Conversation { command } => {
            admin_command(settings, |store| {
                Box::pin(async move { admin_cli::conversation(&store, command).await })
            })
            .await
        }
    }
}

fn stream(command: &StreamCommand) -> anyhow::Result<()> {
    match command {
        StreamCommand::Check { files } => {
            let (report, ok) = stream_cli::check(files);
            print!("{report}");
            if !ok {
                std::process::exit(1);
            }
        }
        StreamCommand::Publishing(_) | StreamCommand::Designing(_) => unreachable!("needs the database"),
        StreamCommand::Show { file } => match stream_cli::load(file) {
            Ok(parsed) => print!("{}", stream_cli::tree(parsed.stream.stream())),
            Err(errors) => {
                for e in errors {
                    eprintln!("{}:{e}", file.display());
                }
                std::process::exit(1);
            }
        },
    }
    Ok(())
}

/// `db copy`: a line on stderr per table copied, then what was compared
/// on stdout; exits 1 when the copy was refused, failed or did not match.
async fn db_copy(from: &str, to: &str) -> anyhow::Result<()> {
    let progress =
        |c: copy::Copied<'_>| eprintln!("copied {:<20} {:>10} rows in {:.1} s", c.table, c.rows, c.secs);
    match copy::copy(from, to, progress).await {
        Ok(report) => {
            print!("{report}");
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

type AdminFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, AdminError>> + Send>>;

/// Opens the database, runs one admin operation, prints its outcome; exits 1
/// on a refused operation (with the reason on stderr).
async fn admin_command(settings: Settings, op: impl FnOnce(Store) -> AdminFuture) -> anyhow::Result<()> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let store = Store::open(&settings.database_url()).await.context("opening the database")?;
    let result = op(store.clone()).await;
    store.close().await;
    match result {
        Ok(out) => {
            print!("{out}");
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await.context("starting the server")?;
    // The bound address (a port 0 in the settings picks a free one): what
    // scripts and the cluster tests wait for.
    println!("Listening on http://{}", app.local_addr());
    // On the first run (no admin yet): the link that creates the first admin.
    // Its token rides in the fragment, which never reaches a server's logs.
    if let Some(link) = app.first_run_link().await.context("making the setup link")? {
        println!("First run: create the first admin at {link} (valid 24 h, once)");
    }
    let (trigger, shutdown) = shutdown::channel();
    tokio::spawn(async move {
        shutdown::os_signal().await;
        tracing::info!("shutting down");
        trigger.trigger();
    });
    app.run(shutdown).await.context("serving")
}

async fn seed(settings: Settings, origins: Vec<String>) -> anyhow::Result<()> {
    // The check `site add --origin` makes: a bad origin is refused, not stored.
    let origins = origins
        .iter()
        .map(|o| Origin::parse(o).map(String::from))
        .collect::<Result<Vec<_>, _>>()
        .context("--origin")?;
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let store = Store::open(&settings.database_url()).await.context("opening the database")?;
    let key = SiteKey::parse(&settings.demo_site).context("demo_site setting")?;
    match demo::seed(&store, &key, &origins, Clock::system().now_ms()).await.context("seeding the demo")? {
        None => println!("Demo site '{key}' already exists; its accounts keep their passwords."),
        Some(accounts) => {
            println!("Seeded demo site '{key}' (allowed origins: {}).", origins.join(", "));
            println!("Accounts (passwords are shown only this once):");
            for a in accounts {
                println!("  {:<20} {:<6} {}", a.email, format!("{:?}", a.role).to_lowercase(), a.password);
            }
        }
    }
    store.close().await;
    Ok(())
}
