ALTER TABLE `instances` ADD `twilio_api_key_sid` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `twilio_api_key_secret_enc` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `twilio_twiml_app_sid` text;