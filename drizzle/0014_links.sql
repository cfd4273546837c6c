CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "showcase_links" (
	"id" text PRIMARY KEY NOT NULL,
	"creator_id" text NOT NULL,
	"position" integer NOT NULL,
	"url" text NOT NULL,
	"title" text,
	"created_at" timestamp with time zone NOT NULL,
	"deactivated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "link_clicks" (
	"id" text PRIMARY KEY NOT NULL,
	"anchor_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"market" text NOT NULL,
	"viewer_id" text,
	"device_id" text,
	"cost_amount" integer NOT NULL,
	"currency" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "markets" ALTER COLUMN "link_policy_mode" SET DEFAULT 'semi_closed';--> statement-breakpoint
UPDATE "markets" SET "link_policy_mode" = 'semi_closed' WHERE "link_policy_mode" = 'open';--> statement-breakpoint
ALTER TABLE "video_anchors" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "videos" ADD COLUMN "caption_flagged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "showcase_links" ADD CONSTRAINT "showcase_links_creator_id_users_id_fk" FOREIGN KEY ("creator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id","id");--> statement-breakpoint
CREATE INDEX "showcase_links_creator_idx" ON "showcase_links" USING btree ("creator_id","position");--> statement-breakpoint
CREATE INDEX "link_clicks_anchor_idx" ON "link_clicks" USING btree ("anchor_id");--> statement-breakpoint
CREATE INDEX "link_clicks_market_idx" ON "link_clicks" USING btree ("market","at");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","id");