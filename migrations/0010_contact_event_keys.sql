ALTER TABLE `contact_events` ADD `event_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `contact_events_key` ON `contact_events` (`instance_id`,`event_key`);