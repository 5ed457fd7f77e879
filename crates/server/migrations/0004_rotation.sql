-- Round-robin position per site, stored so rotation stays fair across restarts.
CREATE TABLE rotation (
    site_id       INTEGER PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    last_agent_id INTEGER NOT NULL
);
