-- A call recording's upload note (`recording_uploads`, src/recordings/uploads.ts) written by the
-- same statement that stores its row (src/recordings/store.ts): one D1 statement per recording
-- instead of two (issue #29: D1 is the first limit at 100 calls a second). The note says what the
-- channel wrote after storing before: `stored`, no error, no next attempt, the row's id, attempts
-- back to 0; a note the retries left (`pending`) is updated in place. Only call recordings (kind
-- `recording`, with their Twilio RecordingSid) are noted here; transcripts and attachments are
-- noted by their channels. A later migration that rebuilds `recordings` (drizzle-kit's
-- copy-and-rename for a column change) drops this trigger with the old table: create it again after.
CREATE TRIGGER `recordings_note_stored` AFTER INSERT ON `recordings`
  WHEN NEW.kind = 'recording' AND NEW.external_id IS NOT NULL
BEGIN
  INSERT INTO `recording_uploads` (`id`, `instance_id`, `contact_id`, `kind`, `external_id`, `status`, `attempts`, `last_error`, `next_attempt_at`, `recording_id`, `updated_at`)
    VALUES (NEW.id, NEW.instance_id, NEW.contact_id, 'recording', NEW.external_id, 'stored', 0, NULL, NULL, NEW.id, NEW.updated_at)
    ON CONFLICT (`instance_id`, `external_id`) DO UPDATE SET
      `status` = 'stored', `attempts` = 0, `last_error` = NULL, `next_attempt_at` = NULL, `recording_id` = NEW.id, `updated_at` = NEW.updated_at;
END;
