CREATE TABLE `recordings` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'stored' NOT NULL,
	`r2_key` text NOT NULL,
	`key_version` integer NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`stored_bytes` integer NOT NULL,
	`duration_seconds` integer,
	`channels` integer,
	`external_id` text,
	`deleted_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recordings_external` ON `recordings` (`instance_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `recordings_contact` ON `recordings` (`instance_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `recordings_retention` ON `recordings` (`instance_id`,`kind`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `recordings_key_version` ON `recordings` (`instance_id`,`status`,`key_version`);