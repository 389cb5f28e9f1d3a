ALTER TABLE `instances` ADD `redaction_enabled` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `redaction_types` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `keep_unredacted_transcripts` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- The new permission to read unredacted transcripts goes to every profile that may already edit
-- security profiles (instance.configure: the Admin profile), which could grant it to itself anyway.
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'transcripts.unredacted')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'instance.configure')
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'transcripts.unredacted');
