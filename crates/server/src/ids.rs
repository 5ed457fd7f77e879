//! Typed ids, so that a conversation's id cannot be passed where an
//! agent's is expected (`move_on(conversation, agent)` took two `i64`s).
//! Stored and sent as the same integers: the wire and the database see no
//! difference; the server converts at its edges (`new` from a frame,
//! `get` into one).

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id with this number (from a frame, a path, a row).
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// Its number (for a frame or a log).
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A conversation's id.
    ConversationId
);
id!(
    /// An agent's id.
    AgentId
);
id!(
    /// A site's id.
    SiteId
);
id!(
    /// A visitor's id.
    VisitorId
);
