-- The call's audio quality as the media bridge measured it (JSON: each
-- side's packets received and lost, jitter, the round trip, the MOS).
ALTER TABLE call_records ADD COLUMN quality TEXT;
