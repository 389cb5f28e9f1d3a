CREATE TABLE `agent_statuses` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`display_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_statuses_name` ON `agent_statuses` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`instance_id` text NOT NULL,
	`user_id` text,
	`action` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text,
	`at` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_instance_time` ON `audit_log` (`instance_id`,`at`);--> statement-breakpoint
CREATE TABLE `contact_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`agent_id` text,
	`queue_id` text,
	`data` text,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_events_contact` ON `contact_events` (`instance_id`,`contact_id`,`at`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`channel` text NOT NULL,
	`initiation_method` text NOT NULL,
	`external_id` text,
	`previous_contact_id` text,
	`customer_endpoint_enc` text,
	`customer_endpoint_hash` text,
	`system_endpoint` text,
	`flow_id` text,
	`flow_version` integer,
	`queue_id` text,
	`agent_id` text,
	`state` text DEFAULT 'INITIATED' NOT NULL,
	`initiated_at` integer NOT NULL,
	`enqueued_at` integer,
	`connected_at` integer,
	`ended_at` integer,
	`acw_ended_at` integer,
	`hold_seconds` integer DEFAULT 0 NOT NULL,
	`disconnect_reason` text,
	`attributes` text NOT NULL,
	`disposition` text,
	`notes` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_external` ON `contacts` (`instance_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `contacts_instance_time` ON `contacts` (`instance_id`,`initiated_at`);--> statement-breakpoint
CREATE INDEX `contacts_caller` ON `contacts` (`instance_id`,`customer_endpoint_hash`);--> statement-breakpoint
CREATE INDEX `contacts_queue` ON `contacts` (`instance_id`,`queue_id`);--> statement-breakpoint
CREATE TABLE `flow_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`instance_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`flow_id` text,
	`flow_version` integer,
	`at` integer NOT NULL,
	`action_id` text NOT NULL,
	`action_type` text NOT NULL,
	`branch` text,
	`next_action_id` text,
	`data` text,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `flow_logs_contact` ON `flow_logs` (`instance_id`,`contact_id`,`id`);--> statement-breakpoint
CREATE TABLE `flow_versions` (
	`instance_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`version` integer NOT NULL,
	`content` text NOT NULL,
	`published_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`flow_id`, `version`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`content` text NOT NULL,
	`published_version` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flows_name` ON `flows` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `hours_of_operation` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`timezone` text NOT NULL,
	`weekly` text NOT NULL,
	`overrides` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hours_name` ON `hours_of_operation` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`public_base_url` text NOT NULL,
	`twilio_account_sid` text,
	`twilio_auth_token_enc` text,
	`recording_retention_days` integer DEFAULT 365 NOT NULL,
	`contact_retention_days` integer DEFAULT 730 NOT NULL,
	`transcript_retention_days` integer DEFAULT 365 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_started_at` integer NOT NULL,
	`locked_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`e164` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`flow_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_e164` ON `phone_numbers` (`e164`);--> statement-breakpoint
CREATE TABLE `queues` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`hours_of_operation_id` text NOT NULL,
	`max_contacts` integer,
	`outbound_caller_id` text,
	`customer_queue_flow_id` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`hours_of_operation_id`) REFERENCES `hours_of_operation`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_queue_flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `queues_name` ON `queues` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `quick_connects` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`user_id` text,
	`queue_id` text,
	`phone_number` text,
	`flow_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quick_connects_name` ON `quick_connects` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `routing_profile_queues` (
	`instance_id` text NOT NULL,
	`routing_profile_id` text NOT NULL,
	`queue_id` text NOT NULL,
	`channel` text NOT NULL,
	`priority` integer NOT NULL,
	`delay_seconds` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`routing_profile_id`, `queue_id`, `channel`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`routing_profile_id`) REFERENCES `routing_profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rpq_queue` ON `routing_profile_queues` (`queue_id`);--> statement-breakpoint
CREATE TABLE `routing_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`voice_concurrency` integer DEFAULT 1 NOT NULL,
	`chat_concurrency` integer DEFAULT 3 NOT NULL,
	`task_concurrency` integer DEFAULT 1 NOT NULL,
	`cross_channel_behavior` text DEFAULT 'ROUTE_CURRENT_CHANNEL_ONLY' NOT NULL,
	`acw_timeout_seconds` integer DEFAULT 120 NOT NULL,
	`default_outbound_queue_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_outbound_queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routing_profiles_name` ON `routing_profiles` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `security_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`permissions` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `security_profiles_name` ON `security_profiles` (`instance_id`,`name`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`security_profile_id` text NOT NULL,
	`routing_profile_id` text,
	`phone_number` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`security_profile_id`) REFERENCES `security_profiles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`routing_profile_id`) REFERENCES `routing_profiles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_instance` ON `users` (`instance_id`);