-- The CRM data model: users and access groups, contacts with normalized phones,
-- deals, call records, notes, tasks, sessions and settings.
-- Kept to SQL that SQLite and PostgreSQL both read, except the id columns
-- (INTEGER PRIMARY KEY here; a PostgreSQL set of migrations uses BIGSERIAL).
-- Timestamps are RFC 3339 UTC strings, which sort chronologically as text.

CREATE TABLE access_groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    is_admin    BOOLEAN NOT NULL DEFAULT FALSE,
    builtin     BOOLEAN NOT NULL DEFAULT FALSE
);

INSERT INTO access_groups (name, is_admin, builtin) VALUES
    ('admin', TRUE, TRUE),
    ('subadmin', FALSE, TRUE),
    ('manager', FALSE, TRUE),
    ('operator', FALSE, TRUE);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    group_id      INTEGER NOT NULL REFERENCES access_groups (id),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL
);

CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    company        TEXT,
    status         TEXT    NOT NULL DEFAULT 'lead',
    email          TEXT,
    responsible_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    notes          TEXT,
    -- Unicode-lowercased name, company and e-mail, so search is case-blind in every script.
    search_text    TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX contacts_responsible ON contacts (responsible_id);

CREATE TABLE contact_phones (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- As the user typed it, shown back unchanged.
    raw        TEXT    NOT NULL,
    -- E.164 (+74951234567) for lookup by number; NULL when the input is not a number.
    e164       TEXT,
    position   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_phones_e164 ON contact_phones (e164);
CREATE INDEX contact_phones_contact ON contact_phones (contact_id);

CREATE TABLE deals (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    amount_minor BIGINT  NOT NULL DEFAULT 0,
    currency     TEXT    NOT NULL DEFAULT 'RUB',
    stage        TEXT    NOT NULL DEFAULT 'new',
    owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    closed_at    TEXT
);
CREATE INDEX deals_contact ON deals (contact_id);

-- Written when a call starts and completed when it ends; a relay killed mid-call
-- leaves ended_at NULL, which start-up turns into status 'interrupted'.
CREATE TABLE call_records (
    id             INTEGER PRIMARY KEY,
    started_at     TEXT    NOT NULL,
    answered_at    TEXT,
    ended_at       TEXT,
    direction      TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    number_dialled TEXT    NOT NULL,
    number_e164    TEXT,
    contact_id     INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    status         TEXT    NOT NULL DEFAULT 'in_progress',
    end_cause      TEXT,
    recording_ref  TEXT
);
CREATE INDEX call_records_started ON call_records (started_at);
CREATE INDEX call_records_contact ON call_records (contact_id);
CREATE INDEX call_records_user ON call_records (user_id);
CREATE INDEX call_records_e164 ON call_records (number_e164);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    call_id    INTEGER REFERENCES call_records (id) ON DELETE SET NULL,
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX notes_contact ON notes (contact_id);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    call_id     INTEGER REFERENCES call_records (id) ON DELETE SET NULL,
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title       TEXT    NOT NULL,
    due_at      TEXT,
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX tasks_contact ON tasks (contact_id);

-- Only the SHA-256 of the cookie token is stored: a leaked database opens no session.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
