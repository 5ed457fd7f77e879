-- Site settings: whether the widget offers chat at all (switched off, it
-- shows nothing and no new visitors or hand-offs are taken), and the email
-- domains data capture refuses ("use your work email").
ALTER TABLE sites ADD COLUMN chat_enabled INTEGER NOT NULL DEFAULT 1;

CREATE TABLE site_blocked_domains (
    site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    domain  TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (site_id, domain)
);
