ALTER TABLE `contacts` ADD `satisfaction` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `satisfaction_at` integer;--> statement-breakpoint
ALTER TABLE `queues` ADD `survey_flow_id` text REFERENCES flows(id);