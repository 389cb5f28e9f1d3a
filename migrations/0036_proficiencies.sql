CREATE TABLE `predefined_attributes` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`values` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `predefined_attributes_name` ON `predefined_attributes` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `user_proficiencies` (
	`instance_id` text NOT NULL,
	`user_id` text NOT NULL,
	`attribute_id` text NOT NULL,
	`value` text NOT NULL,
	`level` integer NOT NULL,
	PRIMARY KEY(`user_id`, `attribute_id`, `value`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`attribute_id`) REFERENCES `predefined_attributes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `user_proficiencies_attribute` ON `user_proficiencies` (`attribute_id`);