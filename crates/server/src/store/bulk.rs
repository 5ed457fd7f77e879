//! Many stored conversations at once, for benchmarks (`cargo xtask bench`
//! lists a million): visitors, conversations in every state with their bot
//! part, 0 to 5 live messages each, routing to teams and the facts reports
//! add up (about 10 a conversation), generated inside SQLite (no row
//! crosses from Rust) in a few large transactions.
//!
//! The rows are what the server writes itself, with the same triggers
//! keeping the search index and nothing the lifecycle would act on: no due
//! times. Values are picked by a hash of the row's number, so two runs
//! seed the same data.

use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, SiteId};

/// What to seed.
#[derive(Debug, Clone)]
pub struct BulkPlan {
    /// How many conversations (and visitors, one each).
    pub conversations: u64,
    /// Spread evenly over these sites.
    pub sites: Vec<SiteId>,
    /// Agents given the conversations that reached one, evenly.
    pub agents: Vec<AgentId>,
    /// Teams (ids) a third of the conversations were routed to, evenly.
    pub teams: Vec<i64>,
    /// When the first conversation started (unix ms).
    pub first_start: i64,
    /// Between one conversation's start and the next (ms).
    pub step_ms: i64,
    /// Conversations per transaction.
    pub batch: u64,
}

/// What a seed stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Live messages.
    pub messages: u64,
    /// Report facts (`chat_events`).
    pub events: u64,
}

/// First names visitors gave.
const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Frances", "Dennis", "Hedy",
    "Ken", "Radia", "Tim", "Sophie", "Guido", "Annie", "Niklaus", "Karen", "John", "Mary", "Bjarne", "Lynn",
    "Joan", "Robin",
];

/// Last names visitors gave.
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Torvalds",
    "Allen",
    "Ritchie",
    "Lamarr",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Wilson",
    "van Rossum",
    "Easley",
    "Wirth",
    "Spärck Jones",
    "McCarthy",
    "Keller",
    "Stroustrup",
    "Conway",
    "Clarke",
    "Milner",
];

/// What visitors answered the bot before asking for a person.
const ANSWERS: &[&str] = &[
    "Billing",
    "Shipping",
    "Returns",
    "Technical support",
    "Sales question",
    "Something else",
    "My account",
];

/// Products people write about (about 0.5% of conversations each).
const PRODUCTS: &[&str] = &[
    "kettle",
    "toaster",
    "blender",
    "espresso machine",
    "grinder",
    "scale",
    "thermos",
    "teapot",
    "juicer",
    "waffle iron",
    "rice cooker",
    "air fryer",
    "slow cooker",
    "stand mixer",
    "hand mixer",
    "food processor",
    "milk frother",
    "water filter",
    "ice maker",
    "soda maker",
    "bread maker",
    "pasta maker",
    "dehydrator",
    "smoker",
    "griddle",
    "skillet",
    "wok",
    "dutch oven",
    "stockpot",
    "saucepan",
    "knife set",
    "cutting board",
    "spice rack",
    "canister",
    "lunch box",
    "bento box",
    "carafe",
    "decanter",
    "cocktail shaker",
    "wine rack",
    "corkscrew",
    "ice bucket",
    "tumbler",
    "mug",
    "saucer",
    "platter",
    "tureen",
    "gravy boat",
    "butter dish",
    "salt mill",
    "pepper mill",
    "timer",
    "thermometer",
    "colander",
    "sieve",
    "ladle",
    "whisk",
    "spatula",
    "tongs",
    "peeler",
    "grater",
    "zester",
    "mandoline",
    "rolling pin",
    "pastry brush",
    "cookie cutter",
    "muffin tin",
    "loaf pan",
    "pie dish",
    "ramekin",
    "souffle dish",
    "trivet",
    "oven mitt",
    "apron",
    "tea towel",
    "dish rack",
    "sponge holder",
    "soap dispenser",
    "bin",
    "compost caddy",
    "recycling bin",
    "step stool",
    "pantry shelf",
    "drawer organiser",
    "lid rack",
    "pot rail",
    "hook set",
    "magnetic strip",
    "knife block",
    "sharpener",
    "honing steel",
    "whetstone",
    "fondue set",
    "raclette",
    "crepe pan",
    "pizza stone",
    "pizza peel",
    "grill pan",
    "roasting tin",
    "baking sheet",
    "cooling rack",
    "piping bag",
    "cake stand",
    "cloche",
    "cheese board",
    "cheese knife",
    "oyster knife",
    "nutcracker",
    "garlic press",
    "citrus press",
    "mortar",
    "pestle",
    "herb keeper",
    "salad spinner",
    "mixing bowl",
    "measuring jug",
    "measuring spoons",
    "funnel",
    "jar opener",
    "bottle opener",
    "can opener",
    "egg cup",
    "egg timer",
    "poacher",
    "steamer",
    "pressure cooker",
    "sous vide",
    "vacuum sealer",
    "storage jar",
    "spice grinder",
    "pour over",
    "french press",
    "moka pot",
    "cold brew jug",
    "coffee scoop",
    "milk jug",
    "sugar bowl",
    "creamer",
    "tea strainer",
    "infuser",
    "samovar",
    "kettle whistle",
    "hob cover",
    "splash guard",
    "range hood filter",
    "fridge mat",
    "freezer bag",
    "ice tray",
    "popsicle mould",
    "chocolate mould",
    "candy thermometer",
    "sugar shaker",
    "flour sifter",
    "dough scraper",
    "proofing basket",
    "banneton",
    "lame",
    "couche",
    "dough whisk",
    "sourdough jar",
    "yoghurt maker",
    "kefir jar",
    "kombucha jar",
    "fermentation weight",
    "pickling crock",
    "canning funnel",
    "jam jar",
    "jelly bag",
    "preserving pan",
    "cherry pitter",
    "apple corer",
    "melon baller",
    "strawberry huller",
    "avocado slicer",
    "mango splitter",
    "pineapple corer",
    "corn stripper",
    "herb scissors",
    "kitchen shears",
    "poultry shears",
    "meat mallet",
    "tenderiser",
    "burger press",
    "sausage stuffer",
    "meat grinder",
    "basting brush",
    "injector",
];

/// How visitors open the live part; `{p}` is a product, `{o}` an order number.
const OPENERS: &[&str] = &[
    "Hi, my {p} arrived broken, order {o}",
    "Hello! Where is my {p}? Order number {o}",
    "I would like to return the {p} from order {o}",
    "Can I change the delivery address for order {o}? It is a {p}",
    "Is the {p} in stock again?",
    "My invoice for order {o} shows the wrong price for the {p}",
    "Does the {p} come with a warranty?",
    "I was charged twice for order {o}",
    "How do I clean the {p}?",
    "Can I pick up order {o} in the shop instead?",
];

/// What agents answer.
const REPLIES: &[&str] = &[
    "Thanks for reaching out! Let me look into that for you.",
    "I am sorry to hear that. I have arranged a replacement.",
    "I checked with the warehouse: it ships tomorrow.",
    "I have refunded the difference to your card.",
    "Could you send me a photo of the damage?",
    "You will receive a return label by email within the hour.",
    "It is back in stock next week; shall I reserve one?",
    "The warranty is two years from the delivery date.",
];

/// How visitors follow up.
const FOLLOW_UPS: &[&str] = &[
    "Thank you, that helps a lot!",
    "Great, thanks.",
    "Okay, I will wait for the email.",
    "Perfect, have a nice day!",
    "Sure, I will send the photo now.",
];

fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).expect("strings serialize")
}

fn json_ids(ids: impl IntoIterator<Item = i64>) -> String {
    serde_json::to_string(&ids.into_iter().collect::<Vec<_>>()).expect("integers serialize")
}

/// One batch's visitors, then conversations. `$1`..`$2`: the numbers;
/// `$3`: sites (JSON); `$4`: agents; `$5`: first start; `$6`: step; `$7`:
/// first names; `$8`: last names; `$9`: answers; `$10`: numbers from which
/// conversations are still open.
const CONVERSATIONS: &str = "
WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2),
hashed AS (SELECT i, (i * 2654435761) % 4294967291 AS h FROM n),
picked AS (
    SELECT i, h,
        json_extract($3, '$[' || (i % json_array_length($3)) || ']') AS site_id,
        $5 + i * $6 AS started,
        CASE
            WHEN i >= $10 THEN json_extract('[\"waiting\",\"offered\",\"active\"]', '$[' || (h % 3) || ']')
            WHEN h % 100 < 8 THEN 'fallback'
            ELSE 'ended'
        END AS state,
        json_extract($7, '$[' || ((h >> 3) % json_array_length($7)) || ']') AS first_name,
        json_extract($8, '$[' || ((h >> 7) % json_array_length($8)) || ']') AS last_name
    FROM hashed)
INSERT INTO conversations (id, site_id, visitor_id, state, stream_id, routing, attributes, transcript, page,
                           agent_id, last_seq, first_reply_seq, created_at, offered_at, accepted_at, ended_at)
SELECT i, site_id, i, state, 'main', '\"round_robin\"',
    json_object('first_name', first_name, 'last_name', last_name,
                'email', lower(first_name) || '.' || i || '@example.com'),
    json_array(
        json_object('from', 'bot', 'card', 'hi', 'text', 'Hi! What can we help you with?'),
        json_object('from', 'visitor', 'card', 'hi', 'text',
                    json_extract($9, '$[' || ((h >> 11) % json_array_length($9)) || ']')),
        json_object('from', 'bot', 'card', 'chat', 'text', 'Connecting you with someone…')),
    '{\"url\":\"https://shop.example.com/help\",\"referrer\":\"https://search.example/\",\"language\":\"en-GB\"}',
    CASE WHEN state IN ('offered', 'active', 'ended')
         THEN json_extract($4, '$[' || ((h >> 13) % json_array_length($4)) || ']') END,
    CASE state WHEN 'waiting' THEN 0 WHEN 'offered' THEN 1 WHEN 'fallback' THEN 1 ELSE 3 + (h >> 17) % 3 END,
    -- (The agent's first message is the second, as [`MESSAGES`] writes them.)
    CASE WHEN state IN ('active', 'ended') THEN 2 END,
    started,
    CASE WHEN state IN ('offered', 'active', 'ended') THEN started + 8000 END,
    CASE WHEN state IN ('active', 'ended') THEN started + 20000 END,
    CASE state WHEN 'ended' THEN started + 600000 WHEN 'fallback' THEN started + 5000 END
FROM picked";

/// One batch's live messages: `$1`..`$2` the conversations; `$3`: products;
/// `$4`: openers; `$5`: replies; `$6`: follow-ups; `$7`: the fallback text.
const MESSAGES: &str = "
WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < 5),
lines AS (
    SELECT c.id, c.state, c.created_at, s.k, (c.id * 2654435761 + s.k * 40503) % 4294967291 AS h
    FROM conversations c JOIN seq s ON s.k <= c.last_seq
    WHERE c.id BETWEEN $1 AND $2)
INSERT INTO messages (conversation_id, seq, author, client_id, text, at)
SELECT id, k,
    CASE WHEN state = 'fallback' THEN 'system' WHEN k % 2 = 1 THEN 'visitor' ELSE 'agent' END,
    NULL,
    CASE
        WHEN state = 'fallback' THEN $7
        WHEN k = 1 THEN replace(replace(
            json_extract($4, '$[' || ((id * 2654435761 >> 5) % json_array_length($4)) || ']'),
            '{p}', json_extract($3, '$[' || ((id * 2654435761 >> 9) % json_array_length($3)) || ']')),
            '{o}', 100000 + (id * 7919) % 900000)
        WHEN k % 2 = 0 THEN json_extract($5, '$[' || (h % json_array_length($5)) || ']')
        ELSE json_extract($6, '$[' || (h % json_array_length($6)) || ']')
    END,
    created_at + 20000 + k * 15000
FROM lines";

/// One batch's report facts (`chat_events`), as the lifecycle would have
/// recorded them for each conversation's state: `$1`..`$2` the
/// conversations; `$3`: agents (JSON); `$4`: teams (JSON).
///
/// Every conversation has its hand-off; 0 to 5 offers declined or timed
/// out come first (at most 2, all timed out, before a fallback); then the
/// offer to its agent, the accept and the first reply (at the second
/// message), an end, or the fallback. Team conversations were routed to
/// the team by their card (the hand-off and every offer name it) or
/// handed on to the team after the first reply; a few others were handed
/// on to an agent. About 10 facts a
/// conversation. Slot `k` is one possible fact, so a conversation's facts
/// are inserted, and numbered, in the order they happened.
const EVENTS: &str = "
WITH RECURSIVE slot(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM slot WHERE k < 17),
chats AS (
    SELECT c.id, c.site_id, c.state, c.stream_id, c.created_at AS s, c.last_seq,
        (c.id * 2654435761) % 4294967291 AS h, c.id * 2654435761 AS raw, t.name AS team,
        json_array_length($3) AS agents
    FROM conversations c
    LEFT JOIN teams t
        ON json_array_length($4) > 0 AND (c.id * 2654435761 >> 15) % 3 = 0
           AND t.id = json_extract($4, '$[' || ((c.id * 2654435761 >> 19) % json_array_length($4)) || ']')
    WHERE c.id BETWEEN $1 AND $2),
shaped AS (
    SELECT id, site_id, state, stream_id, s, last_seq, h, team, agents,
        CASE WHEN state = 'fallback' THEN min((h >> 21) % 6, 2) ELSE (h >> 21) % 6 END AS refused,
        CASE WHEN (raw >> 23) % 2 = 0 THEN team END AS routed,
        state IN ('active', 'ended')
            AND CASE WHEN team IS NULL THEN (raw >> 23) % 12 = 1 ELSE (raw >> 23) % 2 = 1 END AS moved,
        (h >> 13) % agents AS ai
    FROM chats),
facts AS (
    SELECT c.id, c.site_id, k, c.s,
        CASE
            WHEN k = 0 THEN 'handoff'
            WHEN k <= 10 AND (k - 1) / 2 >= refused THEN NULL
            WHEN k <= 10 AND k % 2 = 1 THEN 'offered'
            WHEN k <= 10 AND state <> 'fallback' AND (id * 2654435761 + k * 40503) % 4294967291 % 2 = 0
                THEN 'declined'
            WHEN k <= 10 THEN 'timed_out'
            WHEN k = 11 AND state IN ('offered', 'active', 'ended') THEN 'offered'
            WHEN k = 12 AND state IN ('active', 'ended') THEN 'accepted'
            WHEN k = 13 AND state IN ('active', 'ended') AND last_seq >= 2 THEN 'first_reply'
            WHEN k = 14 AND moved THEN 'transferred'
            WHEN k = 15 AND moved THEN 'offered'
            WHEN k = 16 AND moved THEN 'accepted'
            WHEN k = 17 AND state = 'ended' THEN 'ended'
            WHEN k = 17 AND state = 'fallback' THEN 'fallback'
        END AS kind,
        -- The agent: the conversation's own (index ai) last; the one who
        -- handed it on (ai + 1) before; those who refused (ai + 2 on).
        CASE
            WHEN k BETWEEN 1 AND 10 THEN (ai + 2 + (k - 1) / 2) % agents
            WHEN k IN (11, 12, 13) AND moved OR k = 14 THEN (ai + 1) % agents
            WHEN k <> 0 AND k <> 17 OR state = 'ended' THEN ai
        END AS agent,
        CASE WHEN k IN (14, 15) THEN team WHEN k = 0 OR k % 2 = 1 AND k <= 11 THEN routed END AS team,
        CASE
            WHEN k = 0 THEN stream_id
            WHEN k = 17 AND state = 'ended'
                THEN json_extract('[\"agent\",\"agent\",\"agent\",\"visitor\",\"visitor\",\"idle\"]',
                                  '$[' || ((h >> 9) % 6) || ']')
        END AS detail,
        CASE k WHEN 12 THEN 12000 WHEN 13 THEN 50000 WHEN 16 THEN 10000
               WHEN 17 THEN CASE WHEN state = 'ended' THEN last_seq END END AS value,
        CASE
            WHEN k = 0 THEN 0
            WHEN k <= 10 THEN 1000 + 1500 * ((k - 1) / 2) + 1000 * ((k - 1) % 2)
            WHEN k = 11 THEN 8000
            WHEN k = 12 THEN 20000
            WHEN k = 13 THEN 50000
            WHEN k IN (14, 15) THEN 100000
            WHEN k = 16 THEN 110000
            WHEN state = 'fallback' THEN 5000
            ELSE 600000
        END AS after
    FROM shaped c CROSS JOIN slot)
INSERT INTO chat_events (conversation_id, site_id, kind, agent_id, team, detail, value, at)
SELECT id, site_id, kind, json_extract($3, '$[' || agent || ']'), team, detail, value, s + after
FROM facts WHERE kind IS NOT NULL
ORDER BY id, k";

impl Store {
    /// Seeds `plan.conversations` conversations after any already stored,
    /// `plan.batch` to a transaction, calling `progress` with the number
    /// done after each; answers how many messages and facts it stored.
    /// Durability is off meanwhile (a crash mid-seed leaves a database to
    /// throw away, which is all a benchmark's is).
    pub async fn bulk_seed(
        &self,
        plan: &BulkPlan,
        mut progress: impl FnMut(u64),
    ) -> Result<Seeded, StoreError> {
        let sites = json_ids(plan.sites.iter().map(|s| s.get()));
        let agents = json_ids(plan.agents.iter().map(|a| a.get()));
        let teams = json_ids(plan.teams.iter().copied());
        let (first_names, last_names, answers) =
            (json_list(FIRST_NAMES), json_list(LAST_NAMES), json_list(ANSWERS));
        let (products, openers) = (json_list(PRODUCTS), json_list(OPENERS));
        let (replies, follow_ups) = (json_list(REPLIES), json_list(FOLLOW_UPS));
        let fallback = crate::lifecycle::DEFAULT_FALLBACK;
        on_db!(self, pool => {
            let mut conn = pool.acquire().await?;
            let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM conversations")
                .fetch_one(&mut *conn)
                .await?;
            let visitors: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM visitors")
                .fetch_one(&mut *conn)
                .await?;
            // Conversation n has visitor n: both start after the rows there.
            let first = first.max(visitors);
            let total = i64::try_from(plan.conversations).unwrap_or(i64::MAX);
            let last = first + total - 1;
            // The newest (one in a thousand, 10 to 1,000) are still open:
            // waiting, offered or active.
            let open_from = last - (total / 1000).clamp(10, 1000) + 1;
            sqlx::query("PRAGMA synchronous = OFF").execute(&mut *conn).await?;
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *conn).await?;
            let batch = i64::try_from(plan.batch.max(1)).unwrap_or(i64::MAX);
            let mut lo = first;
            let mut seeded = Seeded::default();
            while lo <= last {
                let hi = (lo + batch - 1).min(last);
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::query(
                    "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
                     INSERT INTO visitors (id, site_id, token_hash, created_at)
                     SELECT i, json_extract($3, '$[' || (i % json_array_length($3)) || ']'),
                            'bench-' || i, $4 + i * $5 - 60000
                     FROM n",
                )
                .bind(lo)
                .bind(hi)
                .bind(&sites)
                .bind(plan.first_start)
                .bind(plan.step_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query(CONVERSATIONS)
                    .bind(lo)
                    .bind(hi)
                    .bind(&sites)
                    .bind(&agents)
                    .bind(plan.first_start)
                    .bind(plan.step_ms)
                    .bind(&first_names)
                    .bind(&last_names)
                    .bind(&answers)
                    .bind(open_from)
                    .execute(&mut *tx)
                    .await?;
                seeded.messages += sqlx::query(MESSAGES)
                    .bind(lo)
                    .bind(hi)
                    .bind(&products)
                    .bind(&openers)
                    .bind(&replies)
                    .bind(&follow_ups)
                    .bind(fallback)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if !plan.teams.is_empty() {
                    // A third routed to a team (as a card, rule or transfer would).
                    sqlx::query(
                        "INSERT INTO conversation_teams (team_id, created_at, conversation_id)
                         SELECT json_extract($3, '$[' || ((id * 2654435761 >> 19) % json_array_length($3)) || ']'),
                                created_at, id
                         FROM conversations
                         WHERE id BETWEEN $1 AND $2 AND (id * 2654435761 >> 15) % 3 = 0",
                    )
                    .bind(lo)
                    .bind(hi)
                    .bind(&teams)
                    .execute(&mut *tx)
                    .await?;
                }
                seeded.events += sqlx::query(EVENTS)
                    .bind(lo)
                    .bind(hi)
                    .bind(&agents)
                    .bind(&teams)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                progress(u64::try_from(hi - first + 1).unwrap_or(0));
                lo = hi + 1;
            }
            sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
            Ok(seeded)
        })
    }
}

/// Sites with keys `keys` and `agents` agents (`a0@example.com`, …): the
/// cast of a test that seeds.
#[cfg(test)]
pub(crate) async fn cast(store: &Store, keys: &[&str], agents: usize) -> (Vec<SiteId>, Vec<AgentId>) {
    use switchboard_protocol::auth::Role;
    use switchboard_protocol::site::{Appearance, SiteKey};
    let mut sites = Vec::new();
    for key in keys {
        let site = SiteKey::parse(key).expect("a site key");
        sites.push(store.create_site(&site, key, &Appearance::default(), &[], 0).await.expect("a site"));
    }
    let mut ids = Vec::new();
    for i in 0..agents {
        let email = format!("a{i}@example.com");
        ids.push(AgentId::new(
            store.create_agent("A", &email, "hash", Role::Agent, 0).await.expect("an agent"),
        ));
    }
    (sites, ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ConversationId;
    use crate::reports::chat::Answer;
    use crate::store::admin_conversations::ListFilter;
    use switchboard_protocol::admin::Outcome;
    use switchboard_protocol::auth::Role;
    use switchboard_protocol::site::{Appearance, SiteKey};
    use switchboard_protocol::wire::ConversationState;

    #[tokio::test]
    async fn a_bulk_seed_is_listed_searched_and_filtered_like_conversations_the_server_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let (sites, agents) = cast(&store, &["one", "two"], 3).await;
        let team = store.create_team("Sales", &[agents[0].get()]).await.unwrap();
        let plan = BulkPlan {
            conversations: 2_500,
            sites: sites.clone(),
            agents: agents.clone(),
            teams: vec![team],
            first_start: 1_700_000_000_000,
            step_ms: 1_000,
            batch: 1_000,
        };
        let mut done = Vec::new();
        let seeded = store.bulk_seed(&plan, |n| done.push(n)).await.unwrap();
        let count = |table: &'static str| {
            let store = store.clone();
            async move {
                let n: i64 = on_db!(store, pool => {
                    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await.unwrap()
                });
                u64::try_from(n).unwrap()
            }
        };
        assert_eq!(seeded.messages, count("messages").await);
        assert_eq!(seeded.events, count("chat_events").await);
        assert!((22_000..28_000).contains(&seeded.events), "about 10 a conversation: {}", seeded.events);
        assert_eq!(done, [1_000, 2_000, 2_500]);

        let all = |f: ListFilter<'static>| {
            let store = store.clone();
            async move { store.admin_conversations(&ListFilter { limit: 100, ..f }).await.unwrap() }
        };
        let newest = all(ListFilter::default()).await;
        assert_eq!(newest.items[0].id, 2_500);
        let open = newest
            .items
            .iter()
            .take_while(|r| r.state != ConversationState::Ended && r.state != ConversationState::Fallback);
        assert_eq!(open.count(), 10, "the newest are open");
        assert!(newest.items[..10].iter().any(|r| r.state == ConversationState::Active));
        let row = &newest.items[99];
        assert!(
            row.visitor_name.is_some() && row.visitor_email.as_deref().unwrap().ends_with("@example.com")
        );
        let ended = all(ListFilter { state: Some(ConversationState::Ended), ..Default::default() }).await;
        for r in &ended.items {
            assert!(r.agent.is_some() && r.ended_at.is_some() && (6..=8).contains(&r.message_count), "{r:?}");
        }
        let fallback =
            all(ListFilter { state: Some(ConversationState::Fallback), ..Default::default() }).await;
        assert!(fallback.items.iter().all(|r| r.agent.is_none() && r.message_count == 4));
        let words = vec!["kettle".to_owned()];
        let found = all(ListFilter { words: Some(Box::leak(Box::new(words))), ..Default::default() }).await;
        assert!(!found.items.is_empty() && found.items.len() < 100, "{}", found.items.len());
        assert!(found.items.iter().all(|r| r.snippet.as_deref().unwrap().contains("kettle")));
        let teamed = all(ListFilter { team: Some(team), ..Default::default() }).await;
        assert_eq!(teamed.items.len(), 100);
        // Every conversation has its visitor, on its site.
        let orphans: i64 = on_db!(store, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM conversations c JOIN visitors v ON v.id = c.visitor_id
                 WHERE v.site_id <> c.site_id",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        });
        assert_eq!(orphans, 0);
        store.close().await;
    }

    #[tokio::test]
    async fn a_bulk_seed_records_the_facts_of_each_conversation_as_the_lifecycle_would() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let site = store
            .create_site(&SiteKey::parse("one").unwrap(), "One", &Appearance::default(), &[], 0)
            .await
            .unwrap();
        let mut agents = Vec::new();
        for i in 0..4 {
            let id =
                store.create_agent("A", &format!("a{i}@example.com"), "hash", Role::Agent, 0).await.unwrap();
            agents.push(AgentId::new(id));
        }
        let sales = store.create_team("Sales", &[agents[0].get()]).await.unwrap();
        let support = store.create_team("Support", &[agents[1].get()]).await.unwrap();
        let plan = BulkPlan {
            conversations: 3_000,
            sites: vec![site],
            agents,
            teams: vec![sales, support],
            first_start: 1_700_000_000_000,
            step_ms: 1_000,
            batch: 1_000,
        };
        store.bulk_seed(&plan, |_| {}).await.unwrap();
        type Row = (i64, String, Option<AgentId>, i64, Option<i64>, Option<String>);
        let rows: Vec<Row> = on_db!(store, pool => {
            sqlx::query_as(
                "SELECT c.id, c.state, c.agent_id, c.created_at, c.ended_at,
                        (SELECT t.name FROM conversation_teams ct JOIN teams t ON t.id = ct.team_id
                         WHERE ct.conversation_id = c.id)
                 FROM conversations c ORDER BY c.id",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        });
        let mut chats = Vec::new();
        let mut folder = crate::reports::chat::Folder::new(|c| chats.push(c));
        let (first, last) = (ConversationId::new(1), ConversationId::new(3_000));
        store.each_event(first, last, None, |e| folder.push(e)).await.unwrap();
        folder.finish();
        assert_eq!(chats.len(), rows.len(), "every conversation has its facts");
        let (mut declined, mut missed, mut to_team, mut to_agent, mut by_card) = (0, 0, 0, 0, 0);
        for (chat, (id, state, agent, created, ended, team)) in chats.iter().zip(&rows) {
            assert_eq!((chat.id.get(), chat.started, chat.stream.as_str()), (*id, *created, "main"));
            let f = chat.figures();
            match state.as_str() {
                "ended" | "active" => {
                    assert_eq!(f.outcome, Outcome::Accepted, "{chat:?}");
                    assert_eq!(chat.accepts.last().map(|a| a.0), *agent, "{chat:?}");
                    assert_eq!((f.wait, f.first_response), (Some(20_000), Some(50_000)), "{chat:?}");
                }
                "fallback" => {
                    assert_eq!((f.outcome, chat.fallback), (Outcome::Fallback, *ended), "{chat:?}");
                    assert!(chat.offers.len() <= 2, "{chat:?}");
                }
                _ => assert_eq!(f.outcome, Outcome::Open, "{chat:?}"),
            }
            if state == "ended" {
                let end = chat.end.unwrap();
                let messages: i64 = on_db!(store, pool => {
                    sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1")
                        .bind(id)
                        .fetch_one(pool)
                        .await
                        .unwrap()
                });
                assert_eq!(
                    (Some(end.at), end.messages, f.messages),
                    (*ended, Some(messages), Some(messages))
                );
                assert!(end.by.is_some(), "{chat:?}");
            }
            // No offer is left open but the one an offered conversation has.
            let open = chat.count(|a| *a == Answer::Open);
            assert_eq!(open, u64::from(state == "offered"), "{chat:?}");
            declined += chat.count(|a| *a == Answer::Declined);
            missed += chat.count(|a| *a == Answer::Missed);
            // A team a fact names is the team the conversation went to.
            if chat.team.is_some() {
                assert_eq!(&chat.team, team, "{chat:?}");
            }
            match (chat.transfers.len(), &chat.team) {
                (0, Some(_)) => by_card += 1,
                (1, Some(_)) => to_team += 1,
                (1, None) => to_agent += 1,
                (n, _) => assert_eq!(n, 0, "{chat:?}"),
            }
        }
        for (what, n) in
            [("declined", declined), ("missed", missed), ("to a team", to_team), ("to an agent", to_agent)]
        {
            assert!(n > 100, "{what}: {n}");
        }
        assert!(by_card > 100, "{by_card}");
        store.close().await;
    }
}
