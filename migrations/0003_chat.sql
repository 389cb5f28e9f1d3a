CREATE TABLE `chat_settings` (
	`instance_id` text PRIMARY KEY NOT NULL,
	`allowed_origins` text NOT NULL,
	`flow_ids` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `contact_search_terms` (
	`instance_id` text NOT NULL,
	`term` text NOT NULL,
	`contact_id` text NOT NULL,
	PRIMARY KEY(`instance_id`, `term`, `contact_id`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_search_terms_contact` ON `contact_search_terms` (`instance_id`,`contact_id`);