CREATE TABLE `recording_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`kind` text NOT NULL,
	`external_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer,
	`recording_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recording_uploads_external` ON `recording_uploads` (`instance_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `recording_uploads_contact` ON `recording_uploads` (`instance_id`,`contact_id`);