CREATE TABLE `customer_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`data_enc` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_profiles_time` ON `customer_profiles` (`instance_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `profile_contacts` (
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`instance_id`, `contact_id`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `profile_contacts_profile` ON `profile_contacts` (`instance_id`,`profile_id`);--> statement-breakpoint
CREATE TABLE `profile_fields` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profile_fields_name` ON `profile_fields` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `profile_keys` (
	`instance_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`key_version` integer NOT NULL,
	PRIMARY KEY(`instance_id`, `profile_id`, `kind`, `hash`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `profile_keys_match` ON `profile_keys` (`instance_id`,`kind`,`hash`);--> statement-breakpoint
-- Profiles that take contacts (Agent) or configure the instance (Admin) read and write customer profiles.
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'profiles.read')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value IN ('instance.configure', 'contacts.handle'))
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'profiles.read');
--> statement-breakpoint
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'profiles.write')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value IN ('instance.configure', 'contacts.handle'))
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'profiles.write');
