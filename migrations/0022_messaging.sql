CREATE TABLE `messaging_threads` (
	`instance_id` text NOT NULL,
	`thread_key` text NOT NULL,
	`contact_id` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`instance_id`, `thread_key`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messaging_threads_contact` ON `messaging_threads` (`instance_id`,`contact_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `channel_subtype` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `messaging_idle_minutes` integer DEFAULT 1440 NOT NULL;--> statement-breakpoint
ALTER TABLE `phone_numbers` ADD `messaging_flow_id` text REFERENCES flows(id);