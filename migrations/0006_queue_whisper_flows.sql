ALTER TABLE `queues` ADD `agent_whisper_flow_id` text REFERENCES flows(id);--> statement-breakpoint
ALTER TABLE `queues` ADD `customer_whisper_flow_id` text REFERENCES flows(id);--> statement-breakpoint
ALTER TABLE `queues` ADD `outbound_whisper_flow_id` text REFERENCES flows(id);