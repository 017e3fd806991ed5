-- The incoming-call card shows when the caller last called: the newest
-- record of the contact, found through this index in one step instead of
-- reading every call the contact ever made.
CREATE INDEX call_records_contact_started ON call_records (contact_id, started_at);
