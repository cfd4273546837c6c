ALTER TABLE "live_sessions" ADD COLUMN "end_reason" text;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "last_active_at" timestamp with time zone;--> statement-breakpoint
UPDATE "live_sessions" SET "end_reason" = 'creator' WHERE "status" = 'ended';--> statement-breakpoint
UPDATE "live_sessions" SET "last_active_at" = "updated_at" WHERE "status" = 'live';
