CREATE TABLE `email_addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`address` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`queue_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_addresses_address` ON `email_addresses` (`address`);--> statement-breakpoint
CREATE INDEX `email_addresses_instance` ON `email_addresses` (`instance_id`);--> statement-breakpoint
CREATE TABLE `email_threads` (
	`instance_id` text NOT NULL,
	`message_id_hash` text NOT NULL,
	`contact_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`instance_id`, `message_id_hash`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `email_threads_contact` ON `email_threads` (`instance_id`,`contact_id`);--> statement-breakpoint
ALTER TABLE `routing_profiles` ADD `email_concurrency` integer DEFAULT 1 NOT NULL;