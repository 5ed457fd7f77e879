-- Several nodes on one database (PostgreSQL in practice; the same tables
-- here keep one code path): each node's heartbeat, and each agent's inbox
-- sockets per node, so presence is the cluster's, not one process's.
CREATE TABLE nodes (
    id           TEXT    PRIMARY KEY,
    started_at   INTEGER NOT NULL, -- unix ms
    heartbeat_at INTEGER NOT NULL  -- unix ms
);

CREATE TABLE agent_connections (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    node_id  TEXT    NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    sockets  INTEGER NOT NULL CHECK (sockets >= 0),
    -- Unix ms; set when sockets drops to 0: the grace period starts.
    left_at  INTEGER,
    PRIMARY KEY (agent_id, node_id)
);
