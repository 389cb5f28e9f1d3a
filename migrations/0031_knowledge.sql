CREATE TABLE `knowledge_article_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`article_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tags` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`published_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`article_id`) REFERENCES `knowledge_articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knowledge_article_versions_version` ON `knowledge_article_versions` (`article_id`,`version`);--> statement-breakpoint
CREATE TABLE `knowledge_articles` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`title` text NOT NULL,
	`latest_version` integer DEFAULT 1 NOT NULL,
	`published_version` integer,
	`published_at` integer,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `knowledge_articles_instance` ON `knowledge_articles` (`instance_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `knowledge_attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`article_id` text NOT NULL,
	`file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`stored_bytes` integer NOT NULL,
	`r2_key` text NOT NULL,
	`key_version` integer NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`article_id`) REFERENCES `knowledge_articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_attachments_article` ON `knowledge_attachments` (`article_id`);--> statement-breakpoint
CREATE TABLE `knowledge_synonyms` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`terms` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Written by hand (drizzle-kit does not make virtual tables): the search index over published
-- articles (src/db/knowledge-search.ts). D1 is SQLite with FTS5 compiled in. One row per
-- published article, written by the API in the same batch that publishes, unpublishes or deletes
-- it (src/db/knowledge.ts), so drafts never reach it. `porter unicode61` lower-cases, folds
-- accents and stems (refunds, refunding → refund); instance_id and article_id are stored but not
-- indexed, and every query is filtered by instance_id. Search ranks with
-- bm25(knowledge_fts, 0, 0, 10, 1, 4): a title match weighs 10, a tag 4, the body 1.
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(
	instance_id UNINDEXED,
	article_id UNINDEXED,
	title,
	body,
	tags,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- The index's vocabulary (one row per distinct term), for typo tolerance: a query word the index
-- has never seen is compared (edit distance) with terms sharing its first letter and nearly its length.
CREATE VIRTUAL TABLE `knowledge_fts_vocab` USING fts5vocab(`knowledge_fts`, 'row');
--> statement-breakpoint
-- Existing security profiles: agents (contacts.handle) may read published articles; admins
-- (instance.configure) may also write them.
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'knowledge.read')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value IN ('contacts.handle', 'instance.configure'))
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'knowledge.read');
--> statement-breakpoint
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'knowledge.write')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'instance.configure')
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'knowledge.write');
