CREATE TABLE `contact_analysis` (
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`customer_sentiment` text,
	`customer_score` real,
	`predicted_satisfaction` integer,
	`engines` text NOT NULL,
	`analysis_enc` text NOT NULL,
	`key_version` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`instance_id`, `contact_id`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_analysis_sentiment` ON `contact_analysis` (`instance_id`,`customer_sentiment`);--> statement-breakpoint
ALTER TABLE `instances` ADD `redaction_enabled` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `redaction_types` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `keep_unredacted_transcripts` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- The new permission to read unredacted transcripts goes to every profile that may already edit
-- security profiles (instance.configure: the Admin profile), which could grant it to itself anyway.
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'transcripts.unredacted')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'instance.configure')
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'transcripts.unredacted');
