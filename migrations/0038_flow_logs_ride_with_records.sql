-- A contact's later flow logs ride with a contact-record batch (issue #29: D1 is the first limit at
-- scale, src/durable/README.md "Load at scale"): the ContactSession's outbox writes its pending
-- flow log entries in the statement that writes its record batch, as one more element of the
-- INSERT into `contact_record_writes` (type NULL, its `flow_logs` a JSON array of entries sealed
-- as flow_logs keeps them). Each entry carries its number in the session (`log_seq`). A session
-- writes its entries in order, each statement all or nothing, so an entry numbered no higher than
-- the contact's highest stored one is stored already and skipped: a statement written again (its
-- answer lost) stores each entry once. The first logs, written with the creation, carry theirs too.
ALTER TABLE `flow_logs` ADD `log_seq` integer;
--> statement-breakpoint
DROP VIEW `contact_record_writes`;
--> statement-breakpoint
-- As in 0035, plus `flow_logs`. An element with no type is the logs alone: no event, no row update.
CREATE VIEW `contact_record_writes` AS
  SELECT `instance_id`, `contact_id`, `type`, `at`, `agent_id`, `queue_id`, `data`, `event_key`, NULL AS `row_update`, NULL AS `flow_logs`
    FROM `contact_events` WHERE 0;
--> statement-breakpoint
-- Each CASE is in parentheses: wrangler's statement splitter takes a bare CASE … END inside a
-- trigger for the trigger's own END (workers-sdk #4727).
CREATE TRIGGER `contact_record_writes_insert` INSTEAD OF INSERT ON `contact_record_writes`
BEGIN
  INSERT INTO `flow_logs` (`instance_id`, `contact_id`, `flow_id`, `flow_version`, `at`, `action_id`, `action_type`, `branch`, `next_action_id`, `data`, `log_seq`)
    SELECT NEW.instance_id, NEW.contact_id, json_extract(value, '$.flowId'), json_extract(value, '$.flowVersion'), json_extract(value, '$.at'),
           json_extract(value, '$.actionId'), json_extract(value, '$.actionType'), json_extract(value, '$.branch'),
           json_extract(value, '$.nextActionId'), value -> '$.data', json_extract(value, '$.seq')
      FROM json_each(coalesce(NEW.flow_logs, '[]'))
     WHERE json_extract(value, '$.seq') > coalesce((SELECT max(`log_seq`) FROM `flow_logs` WHERE `instance_id` = NEW.instance_id AND `contact_id` = NEW.contact_id), 0)
     ORDER BY key;
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
    SELECT NEW.instance_id, NEW.contact_id, NEW.type, NEW.at, NEW.agent_id, NEW.queue_id, NEW.data, NEW.event_key WHERE NEW.type IS NOT NULL;
END;
--> statement-breakpoint
-- The creation's first logs carry their numbers too, so a creation whose answer was lost (its logs
-- then written again with a later batch) stores them once. As in 0035 otherwise.
DROP TRIGGER `contact_creations_insert`;
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
  INSERT INTO `flow_logs` (`instance_id`, `contact_id`, `flow_id`, `flow_version`, `at`, `action_id`, `action_type`, `branch`, `next_action_id`, `data`, `log_seq`)
    SELECT NEW.instance_id, NEW.id, json_extract(value, '$.flowId'), json_extract(value, '$.flowVersion'), json_extract(value, '$.at'),
           json_extract(value, '$.actionId'), json_extract(value, '$.actionType'), json_extract(value, '$.branch'),
           json_extract(value, '$.nextActionId'), value -> '$.data', json_extract(value, '$.seq')
      FROM json_each(coalesce(NEW.flow_logs, '[]')) ORDER BY key;
END;
