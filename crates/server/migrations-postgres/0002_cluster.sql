-- SQLite's 0026: each node's heartbeat, and each agent's inbox sockets per
-- node, so presence is the cluster's, not one process's.
CREATE TABLE nodes (
    id           TEXT   PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

CREATE TABLE agent_connections (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    node_id  TEXT   NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    sockets  BIGINT NOT NULL CHECK (sockets >= 0),
    left_at  BIGINT,
    PRIMARY KEY (agent_id, node_id)
);
