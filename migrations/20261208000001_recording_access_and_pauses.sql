-- Who may hear which recordings: members of a group with hears_all_calls
-- see every call in the log and may play every recording (administrators
-- always may). And where a call's recording was paused (card numbers): a
-- JSON array of [from, to] seconds into the recording, silence in the file.
ALTER TABLE access_groups ADD COLUMN hears_all_calls BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE call_records ADD COLUMN recording_paused TEXT;
