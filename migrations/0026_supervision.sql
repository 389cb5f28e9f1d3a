ALTER TABLE `instances` ADD `notify_agent_on_monitor` integer DEFAULT true NOT NULL;--> statement-breakpoint
-- The new supervision permissions go to every profile that may already edit security profiles
-- (instance.configure: the Admin profile), which could grant them to itself anyway. A Supervisor
-- profile made before them is given them by an admin (new instances' Supervisor has them).
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'supervision.monitor')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'instance.configure')
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'supervision.monitor');--> statement-breakpoint
UPDATE `security_profiles` SET `permissions` = json_insert(`permissions`, '$[#]', 'supervision.barge')
  WHERE EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'instance.configure')
    AND NOT EXISTS (SELECT 1 FROM json_each(`permissions`) WHERE value = 'supervision.barge');
