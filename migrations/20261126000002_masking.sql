-- Number masking per access group (callcard_shared::masking::Masking as JSON).
ALTER TABLE access_groups ADD COLUMN masking TEXT NOT NULL DEFAULT '{"kind":"none"}';
