CREATE TABLE `analytics_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`live` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analytics_rules_name` ON `analytics_rules` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `contact_categories` (
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`category` text NOT NULL,
	`source` text NOT NULL,
	`matched_at` integer NOT NULL,
	`turns` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`instance_id`, `contact_id`, `rule_id`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_categories_category` ON `contact_categories` (`instance_id`,`category`,`contact_id`);