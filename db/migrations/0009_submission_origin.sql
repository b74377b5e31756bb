ALTER TABLE "submissions" ADD COLUMN "client_ip" text;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "device_id" text;