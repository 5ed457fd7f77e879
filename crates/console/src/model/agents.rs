//! The agent forms: adding one (by invitation link or with a password),
//! editing one, and their weekly schedule.

use switchboard_protocol::admin::{AgentChange, AgentView, NewAgent, Schedule, ScheduleBlock};
use switchboard_protocol::auth::Role;

/// The days of a schedule block, as the wire names them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// How a new agent gets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// A one-time link where they choose their own password.
    #[default]
    Invite,
    /// A temporary password the admin hands over.
    Password,
}

/// The new-agent form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgentForm {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Admin or agent.
    pub role: Role,
    /// Invitation or temporary password.
    pub access: Access,
    /// The temporary password (empty: the server generates one).
    pub password: String,
}

impl Default for NewAgentForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            email: String::new(),
            role: Role::Agent,
            access: Access::Invite,
            password: String::new(),
        }
    }
}

impl NewAgentForm {
    /// The request it sends.
    pub fn request(&self) -> NewAgent {
        let password = match self.access {
            Access::Password if !self.password.is_empty() => Some(self.password.clone()),
            _ => None,
        };
        NewAgent {
            name: self.name.clone(),
            email: self.email.trim().to_owned(),
            role: self.role,
            password,
            invite: self.access == Access::Invite,
            capacity: None,
        }
    }
}

/// The edit-agent form.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentForm {
    /// Name.
    pub name: String,
    /// Login email, as typed.
    pub email: String,
    /// The email when the form opened (sent only when it changed).
    pub email_was: String,
    /// Role.
    pub role: Role,
    /// Avatar URL (empty: none).
    pub avatar_url: String,
    /// May take live chats.
    pub live_chat: bool,
    /// Most chats at once, as typed.
    pub capacity: String,
    /// The capacity shown when the form opened, and whether it was the
    /// agent's own (else the server's default): an untouched default is
    /// not sent, so it keeps following the server's setting.
    pub capacity_was: (String, bool),
}

impl Default for AgentForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            email: String::new(),
            email_was: String::new(),
            role: Role::Agent,
            avatar_url: String::new(),
            live_chat: true,
            capacity: String::new(),
            capacity_was: (String::new(), true),
        }
    }
}

impl AgentForm {
    /// The form filled from an agent.
    pub fn of(a: &AgentView) -> Self {
        Self {
            name: a.profile.name.clone(),
            email: a.profile.email.clone(),
            email_was: a.profile.email.clone(),
            role: a.profile.role,
            avatar_url: a.profile.avatar_url.clone().unwrap_or_default(),
            live_chat: a.profile.live_chat,
            capacity: a.status.capacity.to_string(),
            capacity_was: (a.status.capacity.to_string(), a.status.own_capacity),
        }
    }

    /// Whether it changes the login email (which signs the agent out).
    pub fn changes_email(&self) -> bool {
        self.email.trim() != self.email_was
    }

    /// The change it sends (a capacity that is not a number is sent as 0,
    /// which the check refuses under `capacity`; the server's default left
    /// as it was is not sent).
    pub fn change(&self) -> AgentChange {
        AgentChange {
            name: Some(self.name.clone()),
            email: self.changes_email().then(|| self.email.trim().to_owned()),
            role: Some(self.role),
            avatar_url: Some(self.avatar_url.trim().to_owned()),
            live_chat: Some(self.live_chat),
            capacity: (self.capacity_was.1 || self.capacity.trim() != self.capacity_was.0)
                .then(|| self.capacity.trim().parse().unwrap_or(0)),
        }
    }
}

/// One block of the schedule editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    /// Monday first.
    pub days: [bool; 7],
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`.
    pub to: String,
}

impl Default for BlockRow {
    fn default() -> Self {
        Self { days: [true, true, true, true, true, false, false], from: "09:00".into(), to: "17:00".into() }
    }
}

/// The weekly schedule editor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScheduleForm {
    /// Whether the agent has a schedule at all.
    pub enabled: bool,
    /// IANA time zone.
    pub time_zone: String,
    /// Blocks (several a day allowed).
    pub blocks: Vec<BlockRow>,
}

impl ScheduleForm {
    /// The editor filled from a schedule (`browser_zone` for a new one).
    pub fn of(schedule: Option<&Schedule>, browser_zone: &str) -> Self {
        match schedule {
            None => {
                Self { enabled: false, time_zone: browser_zone.to_owned(), blocks: vec![BlockRow::default()] }
            }
            Some(s) => Self {
                enabled: true,
                time_zone: s.time_zone.clone(),
                blocks: s
                    .blocks
                    .iter()
                    .map(|b| BlockRow {
                        days: DAYS.map(|d| b.days.iter().any(|x| x == d)),
                        from: b.from.clone(),
                        to: b.to.clone(),
                    })
                    .collect(),
            },
        }
    }

    /// The schedule it sends (`None`: no schedule).
    pub fn schedule(&self) -> Option<Schedule> {
        self.enabled.then(|| Schedule {
            time_zone: self.time_zone.trim().to_owned(),
            blocks: self
                .blocks
                .iter()
                .map(|b| ScheduleBlock {
                    days: DAYS
                        .iter()
                        .zip(b.days)
                        .filter(|(_, on)| *on)
                        .map(|(d, _)| (*d).to_owned())
                        .collect(),
                    from: b.from.clone(),
                    to: b.to.clone(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_carries_no_password() {
        let mut f =
            NewAgentForm { name: "Bo".into(), email: " bo@example.com ".into(), ..NewAgentForm::default() };
        f.password = "typed before switching".into();
        let r = f.request();
        assert!(r.invite && r.password.is_none() && r.email == "bo@example.com");
        assert!(r.check().is_ok());
        f.access = Access::Password;
        let r = f.request();
        assert!(!r.invite && r.password.as_deref() == Some("typed before switching"));
        f.password.clear();
        assert_eq!(f.request().password, None, "empty: generated by the server");
    }

    #[test]
    fn the_email_is_sent_only_when_it_changed_and_checked_by_name() {
        let mut f = AgentForm {
            name: "Bo".into(),
            email: "bo@example.com".into(),
            email_was: "bo@example.com".into(),
            ..AgentForm::default()
        };
        assert_eq!(f.change().email, None);
        f.email = " bo.king@example.com ".into();
        assert!(f.changes_email());
        assert_eq!(f.change().email.as_deref(), Some("bo.king@example.com"));
        f.email = "bo@".into();
        assert!(f.change().check().unwrap_err().names("email"));
    }

    #[test]
    fn a_capacity_that_is_not_a_number_is_refused_by_name() {
        let mut f =
            AgentForm { name: "Bo".into(), capacity: "3".into(), live_chat: true, ..AgentForm::default() };
        assert_eq!(f.change().capacity, Some(3));
        assert!(f.change().check().is_ok());
        f.capacity = "many".into();
        assert!(f.change().check().unwrap_err().names("capacity"));
        f.capacity = "11".into();
        assert!(f.change().check().unwrap_err().names("capacity"));
        // The server's default, untouched, is not made the agent's own.
        f.capacity_was = ("10".into(), false);
        f.capacity = "10".into();
        assert_eq!(f.change().capacity, None);
        f.capacity = "4".into();
        assert_eq!(f.change().capacity, Some(4));
    }

    #[test]
    fn a_schedule_reads_back_from_its_editor() {
        let s = Schedule {
            time_zone: "Europe/Amsterdam".into(),
            blocks: vec![
                ScheduleBlock {
                    days: vec!["mon".into(), "wed".into()],
                    from: "09:00".into(),
                    to: "12:00".into(),
                },
                ScheduleBlock { days: vec!["mon".into()], from: "13:00".into(), to: "17:30".into() },
            ],
        };
        let f = ScheduleForm::of(Some(&s), "UTC");
        assert_eq!(f.schedule(), Some(s));
        let none = ScheduleForm::of(None, "Europe/Paris");
        assert_eq!((none.schedule(), none.time_zone.as_str()), (None, "Europe/Paris"));
    }
}
