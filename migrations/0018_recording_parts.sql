ALTER TABLE `recordings` ADD `part` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `participants` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `agent_id` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `started_at` integer;