-- Who did what to which call's recording (plays and downloads), for admins.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    call_id INTEGER
);
CREATE INDEX audit_log_at ON audit_log (at);
