CREATE TABLE `chat_quick_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`text` text NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `chat_quick_replies_instance` ON `chat_quick_replies` (`instance_id`,`position`);