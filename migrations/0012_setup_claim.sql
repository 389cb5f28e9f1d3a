CREATE TABLE `setup_claim` (
	`id` integer PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`claimed_at` integer NOT NULL
);
