-- What the user wrote after a call: the outcome (one of the admin's list in
-- settings `call_outcomes`) and a note. The note also lands on the contact.
ALTER TABLE call_records ADD COLUMN outcome TEXT;
ALTER TABLE call_records ADD COLUMN note TEXT;
