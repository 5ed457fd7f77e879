-- Custom routing rules per site (protocol::rules::RoutingRule as JSON).
CREATE TABLE rules (
    site_id  INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name     TEXT    NOT NULL COLLATE NOCASE,
    priority INTEGER NOT NULL,
    rule     TEXT    NOT NULL,
    PRIMARY KEY (site_id, name)
);
