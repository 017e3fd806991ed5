-- Call recordings: where a call's file is (relative to the data directory),
-- how long and how big it is, why there is none when recording failed, and
-- when retention deleted it.
ALTER TABLE call_records ADD COLUMN recording_path TEXT;
ALTER TABLE call_records ADD COLUMN recording_seconds REAL;
ALTER TABLE call_records ADD COLUMN recording_bytes INTEGER;
ALTER TABLE call_records ADD COLUMN recording_error TEXT;
ALTER TABLE call_records ADD COLUMN recording_deleted_at TEXT;
