-- Admin controls: an access group whose members all get a telephony user
-- (those there when it is switched on, and users created in it later).
ALTER TABLE access_groups ADD COLUMN auto_telephony BOOLEAN NOT NULL DEFAULT FALSE;
