ALTER TABLE `instances` ADD `external_endpoints` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `max_open_chats` integer DEFAULT 200 NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `chat_idle_timeout_minutes` integer DEFAULT 20 NOT NULL;