//! `switchboard site|agent|team|canned|rule|stream …`: the admin operations
//! ([`crate::admin`]) on the command line, against the database in the
//! settings. Flags become the protocol's typed requests, so the executor
//! checks them exactly as it checks the HTTP API's bodies; what is printed
//! comes from its views.

use clap::Subcommand;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use switchboard_protocol::admin::{
    AgentChange, AppearanceChange, NewAccountRoute, NewAgent, NewSite, NewTeam, PasswordReset, PublishStream,
    Schedule, ScheduleBlock, SiteChange, TeamChange,
};
use switchboard_protocol::auth::Role;
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::site::Position;

use crate::accounts::{base_url, invite_link};
use crate::admin::{self, AdminError, Live};
use crate::config::Settings;
use crate::store::Author;
use crate::store::Store;

/// `switchboard site …`
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site.
    Add {
        /// Its key (the embed snippet's data-site).
        key: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// An origin the widget may run on (repeatable), e.g. https://shop.example.com.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// An email domain data capture refuses (repeatable), e.g. gmail.com.
        #[arg(long = "blocked-domain")]
        blocked_domains: Vec<String>,
        /// Whether the widget offers chat (on by default).
        #[arg(long, value_parser = ["on", "off"])]
        chat: Option<String>,
    },
    /// List the sites.
    List,
    /// Change a site.
    Update {
        /// The site's key.
        key: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// Replace the allowed origins with these (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// The fallback message shown when nobody can take a chat.
        #[arg(long)]
        fallback: Option<String>,
        /// Replace the email domains data capture refuses with these (repeatable), e.g. gmail.com.
        #[arg(long = "blocked-domain")]
        blocked_domains: Vec<String>,
        /// Refuse no email domain.
        #[arg(long, conflicts_with = "blocked_domains")]
        no_blocked_domains: bool,
        /// Switch chat on or off: off, the widget shows nothing and no new visitors or hand-offs are taken (open conversations go on).
        #[arg(long, value_parser = ["on", "off"])]
        chat: Option<String>,
        /// Switch an agent to unavailable after this many of the site's offers in a row go unanswered (0: never; 2 by default).
        #[arg(long)]
        away_after_missed: Option<u8>,
        /// The largest file visitors and agents may send, in MB (0: no files; at most 25; 10 by default).
        #[arg(long)]
        file_max_mb: Option<u32>,
        /// The kinds of file taken, comma-separated: images, pdf, text, office (all by default).
        #[arg(long, value_delimiter = ',')]
        file_types: Option<Vec<String>>,
    },
    /// Change how the widget looks on a site.
    Appearance {
        /// The site's key.
        key: String,
        /// Accent colour, #rrggbb.
        #[arg(long)]
        accent: Option<String>,
        /// Corner of the page.
        #[arg(long, value_parser = ["bottom_right", "bottom_left"])]
        position: Option<String>,
        /// Distance from the page edges, in pixels.
        #[arg(long)]
        offset: Option<u16>,
        /// Panel header title.
        #[arg(long)]
        title: Option<String>,
        /// The bot's name.
        #[arg(long)]
        bot_name: Option<String>,
        /// Delay before each bot message, in milliseconds.
        #[arg(long)]
        delay_ms: Option<u32>,
        /// Language of the widget: en, nl, or auto (the visitor's browser language, the default).
        #[arg(long)]
        locale: Option<String>,
        /// The bot's avatar in the panel header, an http(s) image URL ("" for none).
        #[arg(long)]
        bot_avatar: Option<String>,
        /// Text on the launcher beside its icon ("" for the icon alone).
        #[arg(long)]
        launcher_label: Option<String>,
        /// The site's privacy policy, linked in the panel, an http(s) URL ("" for none).
        #[arg(long)]
        privacy_url: Option<String>,
        /// A sound when the agent writes while the visitor's panel is closed or the page is in the background.
        #[arg(long, value_parser = ["on", "off"])]
        sound: Option<String>,
    },
    /// Remove a site with its streams and conversations.
    Remove {
        /// The site's key.
        key: String,
    },
}

/// `switchboard agent …`
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Add an agent; prints the generated password once, or with --invite
    /// the link where they set their own.
    Add {
        /// Login email.
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Give the admin role.
        #[arg(long)]
        admin: bool,
        /// Invite them: no password; prints the link (working once, for 7
        /// days) where they set their own.
        #[arg(long)]
        invite: bool,
        /// Most open chats routing gives them (1-10; default: the server's).
        #[arg(long)]
        capacity: Option<u8>,
    },
    /// Print a new invitation link for an agent (their earlier unused one
    /// stops working), to set a new password with.
    Invite {
        /// Login email.
        email: String,
    },
    /// List the agents.
    List,
    /// Change an agent.
    Update {
        /// Login email.
        email: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New login email: their sessions end, and they sign in with it
        /// and the same password; rules and live chat cards naming them follow it.
        #[arg(long = "email", value_name = "NEW_EMAIL")]
        new_email: Option<String>,
        /// New role: agent or admin.
        #[arg(long, value_parser = ["agent", "admin"])]
        role: Option<String>,
        /// Avatar image URL shown to visitors ("" for none).
        #[arg(long)]
        avatar: Option<String>,
        /// Whether routing may give them live chats: true or false.
        #[arg(long)]
        live_chat: Option<bool>,
        /// Most open chats routing gives them (1-10).
        #[arg(long)]
        capacity: Option<u8>,
    },
    /// Set the weekly schedule that makes an agent available (in their time
    /// zone); a manual switch in the inbox then lasts until the next block
    /// starts or ends, or midnight.
    Schedule {
        /// Login email.
        email: String,
        /// IANA time zone, e.g. Europe/Amsterdam.
        #[arg(long, required_unless_present = "clear")]
        time_zone: Option<String>,
        /// A block: days and hours, e.g. "mon-fri 09:00-17:00" or "sat,sun 10:00-12:00" (repeatable).
        #[arg(long = "block", required_unless_present = "clear")]
        blocks: Vec<String>,
        /// Remove the schedule (the manual toggle alone decides).
        #[arg(long, conflicts_with_all = ["time_zone", "blocks"])]
        clear: bool,
    },
    /// Set a new generated password (printed once) and end the agent's sessions.
    ResetPassword {
        /// Login email.
        email: String,
    },
    /// Remove an agent.
    Remove {
        /// Login email.
        email: String,
    },
}

/// `switchboard rule …`
#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Add a rule from a TOML file, or replace the one with the same name.
    Add {
        /// The rule file (TOML: name, priority, combine, [[conditions]], route_to).
        file: PathBuf,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// List a site's rules, highest priority first.
    List {
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// Remove a rule.
    Remove {
        /// The rule's name.
        name: String,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// Account routing: visitors whose email is at a domain go to one agent
    /// first, before the live chat card's option.
    Account {
        /// What to do.
        #[command(subcommand)]
        command: AccountCommand,
    },
}

/// `switchboard rule account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Route a domain to an agent (replacing its route if it had one).
    Add {
        /// The email domain, e.g. bigcorp.com.
        domain: String,
        /// The agent's email.
        #[arg(long)]
        agent: String,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// List a site's account routes.
    List {
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// Remove a domain's route.
    Remove {
        /// The email domain.
        domain: String,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
}

/// Parses `mon-fri 09:00-17:00` or `sat,sun 10:00-12:00`.
fn parse_block(raw: &str) -> Result<ScheduleBlock, AdminError> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let bad = |why: &str| {
        AdminError::invalid("schedule", format!("block {raw:?}: {why}; write e.g. \"mon-fri 09:00-17:00\""))
    };
    let (days, hours) = raw.trim().split_once(' ').ok_or_else(|| bad("days and hours"))?;
    let (from, to) = hours.trim().split_once('-').ok_or_else(|| bad("hours are HH:MM-HH:MM"))?;
    let mut list = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let index = |d: &str| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d.trim()));
                let (Some(a), Some(b)) = (index(a), index(b)) else { return Err(bad("unknown day")) };
                if a > b {
                    return Err(bad("a day range runs forward"));
                }
                list.extend(DAYS[a..=b].iter().map(|d| (*d).to_owned()));
            }
            None => list.push(part.trim().to_owned()),
        }
    }
    Ok(ScheduleBlock { days: list, from: from.trim().to_owned(), to: to.trim().to_owned() })
}

/// A file's text; a file that cannot be read is a problem of the `file` argument.
fn read(file: &Path) -> Result<String, AdminError> {
    std::fs::read_to_string(file).map_err(|e| AdminError::invalid("file", format!("{}: {e}", file.display())))
}

/// Runs a rule command; returns what to print.
pub async fn rule(store: &Store, cmd: RuleCommand) -> Result<String, AdminError> {
    let mut out = String::new();
    match cmd {
        RuleCommand::Add { file, site } => {
            let rule: RoutingRule = toml::from_str(&read(&file)?)
                .map_err(|e| AdminError::invalid("file", format!("{}: {e}", file.display())))?;
            admin::save_rule(store, &site, &rule).await?;
            let _ = writeln!(out, "Saved rule {} for site {site}.", rule.name);
        }
        RuleCommand::List { site } => {
            for r in admin::rules(store, &site).await? {
                let _ = write!(
                    out,
                    "{}\tpriority {}\t{}",
                    r.name,
                    r.priority,
                    serde_json::to_string(&r.route_to).unwrap_or_default()
                );
                if !r.description.is_empty() {
                    let _ = write!(out, "\t{}", r.description);
                }
                out.push('\n');
            }
        }
        RuleCommand::Remove { name, site } => {
            admin::remove_rule(store, &site, &name).await?;
            let _ = writeln!(out, "Removed rule {name} from site {site}.");
        }
        RuleCommand::Account { command: AccountCommand::Add { domain, agent, site } } => {
            let r = admin::save_account_route(store, &site, &NewAccountRoute { domain, agent }).await?;
            let _ = writeln!(out, "Visitors at {} go to {} first on site {site}.", r.domain, r.agent);
        }
        RuleCommand::Account { command: AccountCommand::List { site } } => {
            for r in admin::account_routes(store, &site).await? {
                let _ = writeln!(out, "{}\t{}", r.domain, r.agent);
            }
        }
        RuleCommand::Account { command: AccountCommand::Remove { domain, site } } => {
            admin::remove_account_route(store, &site, &domain).await?;
            let _ = writeln!(out, "Removed the account route of {domain} from site {site}.");
        }
    }
    Ok(out)
}

/// A shared canned response as the command line gives it.
#[derive(Debug, clap::Args)]
pub struct CannedArgs {
    /// What follows `/` to pick it (letters, digits, - and _).
    shortcut: String,
    /// Its text; tokens such as {{first_name:"there"}} are filled in.
    text: String,
    /// Only on this site's conversations (its key).
    #[arg(long)]
    site: Option<String>,
    /// Only for this team's members.
    #[arg(long)]
    team: Option<String>,
}

impl From<CannedArgs> for switchboard_protocol::admin::CannedRequest {
    fn from(a: CannedArgs) -> Self {
        Self { shortcut: a.shortcut, text: a.text, site: a.site, team: a.team }
    }
}

/// `switchboard canned …`: the shared canned responses (an agent keeps
/// their own in the inbox).
#[derive(Debug, Subcommand)]
pub enum CannedCommand {
    /// Add a shared response.
    Add(CannedArgs),
    /// List the shared responses: id, shortcut, site, team, text.
    List,
    /// Replace a shared response (by its id, from `list`).
    Update {
        /// Its id.
        id: i64,
        /// What it is now.
        #[command(flatten)]
        response: CannedArgs,
    },
    /// Remove a shared response.
    Remove {
        /// Its id.
        id: i64,
    },
}

/// Runs a canned response command at `now` (unix ms); returns what to print.
pub async fn canned(store: &Store, cmd: CannedCommand, now: i64) -> Result<String, AdminError> {
    use crate::store::canned::Owner;
    let mut out = String::new();
    match cmd {
        CannedCommand::Add(response) => {
            let c = crate::canned::save(store, Owner::Shared, None, &response.into(), now).await?;
            let _ = writeln!(out, "Added /{} (id {}).", c.shortcut, c.id);
        }
        CannedCommand::List => {
            for c in crate::canned::list(store, Owner::Shared).await? {
                let (site, team) = (c.site.as_deref().unwrap_or("-"), c.team.as_deref().unwrap_or("-"));
                let _ =
                    writeln!(out, "{}\t/{}\t{site}\t{team}\t{}", c.id, c.shortcut, c.text.replace('\n', " "));
            }
        }
        CannedCommand::Update { id, response } => {
            let c = crate::canned::save(store, Owner::Shared, Some(id), &response.into(), now).await?;
            let _ = writeln!(out, "Updated /{} (id {}).", c.shortcut, c.id);
        }
        CannedCommand::Remove { id } => {
            crate::canned::remove(store, Owner::Shared, id).await?;
            let _ = writeln!(out, "Removed canned response {id}.");
        }
    }
    Ok(out)
}

/// `switchboard team …`
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Add a team.
    Add {
        /// Its name.
        name: String,
        /// A member's email (repeatable).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// List the teams with their members.
    List,
    /// Rename a team and/or replace its members.
    Update {
        /// The team's name.
        name: String,
        /// A new name.
        #[arg(long = "rename")]
        new_name: Option<String>,
        /// Replace the members with these (repeatable).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// Remove a team.
    Remove {
        /// The team's name.
        name: String,
    },
}

/// Runs a team command; returns what to print.
pub async fn team(store: &Store, cmd: TeamCommand) -> Result<String, AdminError> {
    let mut out = String::new();
    match cmd {
        TeamCommand::Add { name, members } => {
            let t = admin::add_team(store, &NewTeam { name, members }).await?;
            let _ = writeln!(out, "Added team {} ({} members).", t.name, t.members.len());
        }
        TeamCommand::List => {
            for t in admin::teams(store).await? {
                let _ = writeln!(out, "{}\t{}", t.name, t.members.join(" "));
            }
        }
        TeamCommand::Update { name, new_name, members } => {
            let change = TeamChange { name: new_name, members: (!members.is_empty()).then_some(members) };
            let t = admin::update_team(store, &name, &change).await?;
            let _ = writeln!(out, "Updated team {}: {}", t.name, t.members.join(" "));
        }
        TeamCommand::Remove { name } => {
            admin::remove_team(store, &name).await?;
            let _ = writeln!(out, "Removed team {name}.");
        }
    }
    Ok(out)
}

/// `switchboard stream publish|list|remove` (check and show need no database).
#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Validate a stream file and publish it for a site (its release note is
    /// the file's name; it becomes the stream's draft).
    Publish {
        /// The stream file (TOML).
        file: PathBuf,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// List a site's streams, published or only drafted.
    List {
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// Remove a stream: unpublish it and drop its draft and releases.
    Remove {
        /// The stream's id.
        id: String,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
}

fn role(r: &str) -> Role {
    if r == "admin" {
        Role::Admin
    } else {
        Role::Agent
    }
}

/// Runs a site command at `now` (unix ms); returns what to print.
pub async fn site(store: &Store, cmd: SiteCommand, now: i64) -> Result<String, AdminError> {
    let mut out = String::new();
    match cmd {
        SiteCommand::Add { key, name, origins, blocked_domains, chat } => {
            let req = NewSite {
                key,
                name,
                allowed_origins: origins,
                blocked_email_domains: blocked_domains,
                chat_enabled: chat.map(|c| c == "on"),
            };
            let s = admin::add_site(store, &req, now).await?;
            let _ = writeln!(out, "Added site {} ({}). Embed snippet:", s.key, s.name);
            let _ = writeln!(
                out,
                "  <script async src=\"https://HOST/widget.js\" data-site=\"{}\"></script>",
                s.key
            );
        }
        SiteCommand::List => {
            for s in admin::sites(store).await? {
                let _ = write!(out, "{}\t{}\t{}", s.key, s.name, s.allowed_origins.join(" "));
                if !s.chat_enabled {
                    let _ = write!(out, "\tchat off");
                }
                if !s.blocked_email_domains.is_empty() {
                    let _ = write!(out, "\tblocked: {}", s.blocked_email_domains.join(" "));
                }
                let _ = writeln!(out);
            }
        }
        SiteCommand::Update {
            key,
            name,
            origins,
            fallback,
            blocked_domains,
            no_blocked_domains,
            chat,
            away_after_missed,
            file_max_mb,
            file_types,
        } => {
            let blocked = (no_blocked_domains || !blocked_domains.is_empty()).then_some(blocked_domains);
            let change = SiteChange {
                name,
                allowed_origins: (!origins.is_empty()).then_some(origins),
                fallback_message: fallback,
                blocked_email_domains: blocked,
                chat_enabled: chat.map(|c| c == "on"),
                away_after_missed,
                file_max_mb,
                file_types,
            };
            let s = admin::update_site(store, &key, &change).await?;
            let _ =
                writeln!(out, "Updated site {}: {}; origins {}", s.key, s.name, s.allowed_origins.join(" "));
            let blocked = if s.blocked_email_domains.is_empty() {
                "none".to_owned()
            } else {
                s.blocked_email_domains.join(" ")
            };
            let chat = if s.chat_enabled { "on" } else { "off" };
            let away = match s.away_after_missed {
                0 => "never".to_owned(),
                n => format!("after {n} missed offers in a row"),
            };
            let _ = writeln!(out, "  chat {chat}; blocked email domains: {blocked}; agents away: {away}");
            let files = match s.file_max_mb {
                0 => "none".to_owned(),
                n => format!("up to {n} MB of {}", s.file_types.join(", ")),
            };
            let _ = writeln!(out, "  files: {files}");
        }
        SiteCommand::Appearance {
            key,
            accent,
            position,
            offset,
            title,
            bot_name,
            delay_ms,
            locale,
            bot_avatar,
            launcher_label,
            privacy_url,
            sound,
        } => {
            let position =
                position
                    .map(|p| if p == "bottom_left" { Position::BottomLeft } else { Position::BottomRight });
            let change = AppearanceChange {
                accent,
                position,
                offset_px: offset,
                header_title: title,
                bot_name,
                response_delay_ms: delay_ms,
                locale,
                bot_avatar_url: bot_avatar,
                launcher_label,
                privacy_url,
                sound: sound.map(|s| s == "on"),
            };
            let s = admin::update_appearance(store, &key, &change).await?;
            let _ = writeln!(out, "{}", serde_json::to_string(&s.appearance).unwrap_or_default());
        }
        SiteCommand::Remove { key } => {
            admin::remove_site(store, &key).await?;
            let _ = writeln!(out, "Removed site {key}.");
        }
    }
    Ok(out)
}

/// Runs an agent command at `now` (unix ms) against the server `settings`
/// describe (its capacity, its address for links); returns what to print.
pub async fn agent(
    store: &Store,
    cmd: AgentCommand,
    settings: &Settings,
    now: i64,
) -> Result<String, AdminError> {
    let mut out = String::new();
    // (No sockets seen from here: everyone reads as offline.)
    let live = Live { now, capacity: settings.routing.capacity, presence: None };
    match cmd {
        AgentCommand::Add { email, name, admin: is_admin, invite, capacity } => {
            let role = if is_admin { Role::Admin } else { Role::Agent };
            let req = NewAgent { name, email, role, password: None, invite, capacity };
            let added = admin::add_agent(store, &req, &live).await?;
            let (name, email) = (&added.agent.profile.name, &added.agent.profile.email);
            match (added.invite_token, added.password) {
                (Some(token), _) => {
                    let link = invite_link(&base_url(settings), &token);
                    let _ = writeln!(
                        out,
                        "Invited {name} <{email}>. They set their password at (once, within 7 days): {link}"
                    );
                }
                (None, pw) => {
                    let pw = pw.unwrap_or_default();
                    let _ = writeln!(out, "Added {name} <{email}>. Password (shown only this once): {pw}");
                }
            }
        }
        AgentCommand::Invite { email } => {
            let token = admin::invite_agent(store, &email, &live).await?.invite_token.unwrap_or_default();
            let link = invite_link(&base_url(settings), &token);
            let _ = writeln!(out, "{email} sets a new password at (once, within 7 days): {link}");
        }
        AgentCommand::List => {
            for a in admin::agents(store, &live).await? {
                let _ = write!(out, "{}\t{}\t{:?}", a.profile.email, a.profile.name, a.profile.role);
                if !a.profile.live_chat {
                    let _ = write!(out, "\tno live chat");
                }
                if a.status.own_capacity {
                    let _ = write!(out, "\tcapacity {}", a.status.capacity);
                }
                if a.status.invited {
                    let _ = write!(out, "\tinvited");
                }
                if let Some(s) = &a.schedule {
                    let _ = write!(out, "\tschedule: {} ({} blocks)", s.time_zone, s.blocks.len());
                }
                let _ = writeln!(out);
            }
        }
        AgentCommand::Update { email, name, new_email, role: r, avatar, live_chat, capacity } => {
            let change = AgentChange {
                name,
                email: new_email,
                role: r.as_deref().map(role),
                avatar_url: avatar,
                live_chat,
                capacity,
            };
            let a = admin::update_agent(store, &email, &change, &live).await?;
            let _ = writeln!(out, "Updated {} <{}>: {:?}", a.profile.name, a.profile.email, a.profile.role);
        }
        AgentCommand::Schedule { email, time_zone, blocks, clear } => {
            let schedule = if clear {
                None
            } else {
                let blocks = blocks.iter().map(|b| parse_block(b)).collect::<Result<_, _>>()?;
                Some(Schedule { time_zone: time_zone.unwrap_or_default(), blocks })
            };
            admin::set_schedule(store, &email, schedule.as_ref(), now).await?;
            let _ = writeln!(out, "Set the schedule of {email}.");
        }
        AgentCommand::ResetPassword { email } => {
            let pw = admin::reset_password(store, &email, &PasswordReset::default(), &live).await?.password;
            let pw = pw.unwrap_or_default();
            let _ = writeln!(out, "New password for {email} (shown only this once): {pw}");
        }
        AgentCommand::Remove { email } => {
            admin::remove_agent(store, &email, now).await?;
            let _ = writeln!(out, "Removed {email}.");
        }
    }
    Ok(out)
}

/// Runs a stream publishing command at `now` (unix ms); returns what to print.
pub async fn publish(store: &Store, cmd: PublishCommand, now: i64) -> Result<String, AdminError> {
    let mut out = String::new();
    match cmd {
        PublishCommand::Publish { file, site } => {
            let source = read(&file)?;
            // The release's note says which file it came from.
            let note = file.display().to_string();
            let req = PublishStream { source };
            let published = admin::publish_stream(store, &site, &req, Author::default(), &note, now).await;
            let published = published.map_err(|e| match e {
                AdminError::Stream(errors) => AdminError::Stream(
                    errors.into_iter().map(|l| format!("{}:{l}", file.display())).collect(),
                ),
                other => other,
            })?;
            for w in published.warnings {
                let _ = writeln!(out, "{}:{w}", file.display());
            }
            let _ = writeln!(out, "Published stream {} for site {site}.", published.id);
        }
        PublishCommand::List { site } => {
            for st in admin::streams(store, &site).await? {
                let _ =
                    write!(out, "{}\tpriority {}\t{}\t{}", st.id, st.priority, st.targets.join(" "), st.name);
                let _ = match (st.published, st.draft) {
                    (false, _) => writeln!(out, "\tdraft, not published"),
                    (true, true) => writeln!(out, "\tdraft differs from version {}", st.version),
                    (true, false) => writeln!(out),
                };
            }
        }
        PublishCommand::Remove { id, site } => {
            admin::remove_stream(store, &site, &id).await?;
            let _ = writeln!(out, "Unpublished stream {id} from site {site}.");
        }
    }
    Ok(out)
}

/// `switchboard conversation …`
#[derive(Debug, Subcommand)]
pub enum ConversationCommand {
    /// Show why a conversation was routed where it went: every decision, the
    /// rule that matched, and who was skipped and why.
    Explain {
        /// The conversation's id.
        id: i64,
    },
}

/// Runs a conversation command; returns what to print.
pub async fn conversation(store: &Store, cmd: ConversationCommand) -> Result<String, AdminError> {
    match cmd {
        ConversationCommand::Explain { id } => Ok(admin::explain(store, id).await?.text),
    }
}
