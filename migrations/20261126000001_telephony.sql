-- Telephony: trunks (SIP accounts at providers), telephony users (a CRM user's
-- extension and SIP credentials), and more detail on call records.
-- Same rules as the first migration: SQL that SQLite and PostgreSQL both read
-- (but the INTEGER PRIMARY KEY ids), RFC 3339 UTC timestamps as TEXT.
--
-- The two password columns hold clear text on purpose: the relay answers the
-- providers' digest challenges and checks the phones' digest responses, and
-- both need the password itself, not a hash. The API never returns them (a
-- SIP password is shown once, when generated) and they are never logged.

CREATE TABLE trunks (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    -- The number the account receives calls on, E.164 (+74951234567).
    number         TEXT    NOT NULL,
    username       TEXT    NOT NULL,
    password       TEXT    NOT NULL,
    domain         TEXT    NOT NULL,
    -- host or host:port of the provider's SIP server.
    host           TEXT    NOT NULL,
    transport      TEXT    NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls')),
    outbound_proxy TEXT,
    register       BOOLEAN NOT NULL DEFAULT TRUE,
    -- Registration expiry asked for, seconds.
    expires        INTEGER NOT NULL DEFAULT 3600,
    -- Lower is tried first.
    priority       INTEGER NOT NULL DEFAULT 0,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX trunks_number ON trunks (number);

CREATE TABLE sip_users (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- 3 to 6 digits.
    extension       TEXT    NOT NULL UNIQUE,
    -- <account>_<extension>, the digest user name.
    sip_login       TEXT    NOT NULL UNIQUE,
    sip_password    TEXT    NOT NULL,
    accept_incoming BOOLEAN NOT NULL DEFAULT TRUE,
    browser_calls   BOOLEAN NOT NULL DEFAULT TRUE,
    -- An extension or an E.164 number; NULL: no forwarding.
    forward_to      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

ALTER TABLE call_records ADD COLUMN trunk_id INTEGER REFERENCES trunks (id) ON DELETE SET NULL;
-- Seconds between answer and end; 0 when never answered.
ALTER TABLE call_records ADD COLUMN talk_seconds INTEGER NOT NULL DEFAULT 0;
-- caller, callee or relay.
ALTER TABLE call_records ADD COLUMN hangup_side TEXT;
CREATE INDEX call_records_trunk ON call_records (trunk_id);
CREATE INDEX call_records_status ON call_records (status, started_at);
-- Only three directions: an index alone would not narrow much; with the start
-- time it serves "outbound calls this week" ordered newest first.
CREATE INDEX call_records_direction ON call_records (direction, started_at);
