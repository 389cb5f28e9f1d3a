-- Two views that let one D1 statement do the work of several (D1 runs one statement at a time and
-- is the first limit at scale: src/durable/README.md, "Load at scale"). A later migration that
-- rebuilds `contacts`, `contact_events` or `flow_logs` (drizzle-kit's copy-and-rename for a column
-- change) must drop these views first (their triggers go with them) and create them again after.
-- A contact's record written in one statement a batch (src/durable/contact-record.ts): an outbox
-- inserts its events into this view, each with the row update it carries (or NULL), and the
-- trigger applies the update, then stores the event, for each event in the order inserted. The
-- update applies only if the event is not stored yet, and the event is stored once (its key is
-- unique): a batch written again changes nothing. Nothing is stored in the view itself.
CREATE VIEW `contact_record_writes` AS
  SELECT `instance_id`, `contact_id`, `type`, `at`, `agent_id`, `queue_id`, `data`, `event_key`, NULL AS `row_update`
    FROM `contact_events` WHERE 0;
--> statement-breakpoint
-- Each CASE is in parentheses: wrangler's statement splitter takes a bare CASE … END inside a
-- trigger for the trigger's own END (workers-sdk #4727).
CREATE TRIGGER `contact_record_writes_insert` INSTEAD OF INSERT ON `contact_record_writes`
BEGIN
  UPDATE `contacts` SET
    `state` = (CASE WHEN json_extract(NEW.row_update, '$.s') IS NOT NULL AND `updated_at` <= json_extract(NEW.row_update, '$.sa') THEN json_extract(NEW.row_update, '$.s') ELSE `state` END),
    `queue_id` = (CASE WHEN json_extract(NEW.row_update, '$.qs') = 1 AND `updated_at` <= json_extract(NEW.row_update, '$.qa') THEN json_extract(NEW.row_update, '$.q') ELSE `queue_id` END),
    `agent_id` = (CASE WHEN json_extract(NEW.row_update, '$.as') = 1 AND `updated_at` <= json_extract(NEW.row_update, '$.aa') THEN json_extract(NEW.row_update, '$.a') ELSE `agent_id` END),
    `enqueued_at` = coalesce(`enqueued_at`, json_extract(NEW.row_update, '$.e')),
    `connected_at` = coalesce(`connected_at`, json_extract(NEW.row_update, '$.cn')),
    `ended_at` = coalesce(`ended_at`, json_extract(NEW.row_update, '$.en')),
    `acw_ended_at` = coalesce(`acw_ended_at`, json_extract(NEW.row_update, '$.w')),
    `hold_seconds` = `hold_seconds` + coalesce(json_extract(NEW.row_update, '$.h'), 0),
    `disconnect_reason` = coalesce(`disconnect_reason`, json_extract(NEW.row_update, '$.r')),
    `attributes` = coalesce(json_extract(NEW.row_update, '$.at'), `attributes`),
    `tags` = coalesce(json_extract(NEW.row_update, '$.tg'), `tags`),
    `satisfaction` = coalesce(json_extract(NEW.row_update, '$.sf'), `satisfaction`),
    `satisfaction_at` = (CASE WHEN json_extract(NEW.row_update, '$.sf') IS NOT NULL THEN json_extract(NEW.row_update, '$.sfa') ELSE `satisfaction_at` END),
    `updated_at` = (CASE WHEN json_extract(NEW.row_update, '$.m') IS NOT NULL THEN max(`updated_at`, json_extract(NEW.row_update, '$.m')) ELSE `updated_at` END)
  WHERE NEW.row_update IS NOT NULL AND `instance_id` = NEW.instance_id AND `id` = NEW.contact_id
    AND NOT EXISTS (SELECT 1 FROM `contact_events` WHERE `instance_id` = NEW.instance_id AND `event_key` = NEW.event_key);
  INSERT OR IGNORE INTO `contact_events` (`instance_id`, `contact_id`, `type`, `at`, `agent_id`, `queue_id`, `data`, `event_key`)
    VALUES (NEW.instance_id, NEW.contact_id, NEW.type, NEW.at, NEW.agent_id, NEW.queue_id, NEW.data, NEW.event_key);
END;
--> statement-breakpoint
-- A contact created in one statement (src/db/contacts.ts createContact): its row inserted into
-- this view makes the contact, its INITIATED event and its first flow logs (a JSON array of
-- entries, sealed as flow_logs keeps them, or NULL). A contact that exists already fails the whole
-- statement (UNIQUE constraint), writing none of them.
CREATE VIEW `contact_creations` AS
  SELECT `id`, `instance_id`, `channel`, `initiation_method`, `external_id`, `previous_contact_id`, `customer_endpoint_enc`,
         `customer_endpoint_hash`, `customer_endpoint_hash_version`, `system_endpoint`, `flow_id`, `flow_version`, `attributes`,
         `initiated_at`, `channel_subtype`, NULL AS `flow_logs`
    FROM `contacts` WHERE 0;
--> statement-breakpoint
CREATE TRIGGER `contact_creations_insert` INSTEAD OF INSERT ON `contact_creations`
BEGIN
  INSERT INTO `contacts` (`id`, `instance_id`, `channel`, `initiation_method`, `external_id`, `previous_contact_id`, `customer_endpoint_enc`,
    `customer_endpoint_hash`, `customer_endpoint_hash_version`, `system_endpoint`, `flow_id`, `flow_version`, `attributes`,
    `initiated_at`, `updated_at`, `channel_subtype`)
  VALUES (NEW.id, NEW.instance_id, NEW.channel, NEW.initiation_method, NEW.external_id, NEW.previous_contact_id, NEW.customer_endpoint_enc,
    NEW.customer_endpoint_hash, NEW.customer_endpoint_hash_version, NEW.system_endpoint, NEW.flow_id, NEW.flow_version, NEW.attributes,
    NEW.initiated_at, NEW.initiated_at, NEW.channel_subtype);
  INSERT INTO `contact_events` (`instance_id`, `contact_id`, `type`, `at`) VALUES (NEW.instance_id, NEW.id, 'INITIATED', NEW.initiated_at);
  INSERT INTO `flow_logs` (`instance_id`, `contact_id`, `flow_id`, `flow_version`, `at`, `action_id`, `action_type`, `branch`, `next_action_id`, `data`)
    SELECT NEW.instance_id, NEW.id, json_extract(value, '$.flowId'), json_extract(value, '$.flowVersion'), json_extract(value, '$.at'),
           json_extract(value, '$.actionId'), json_extract(value, '$.actionType'), json_extract(value, '$.branch'),
           json_extract(value, '$.nextActionId'), value -> '$.data'
      FROM json_each(coalesce(NEW.flow_logs, '[]')) ORDER BY key;
END;
