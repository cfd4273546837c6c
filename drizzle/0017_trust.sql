CREATE TABLE "reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"order_item_id" text NOT NULL,
	"product_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"rating" integer NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reviews_rating" CHECK ("reviews"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "payout_restrictions" (
	"shop_id" text PRIMARY KEY NOT NULL,
	"full_hold" boolean DEFAULT false NOT NULL,
	"reserve_bps" integer DEFAULT 0 NOT NULL,
	"reserved" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health_thresholds" (
	"market" text PRIMARY KEY NOT NULL,
	"window_days" integer NOT NULL,
	"freeze_after_days" integer NOT NULL,
	"rules" jsonb NOT NULL,
	"updated_at" timestamp with time zone,
	"updated_by" text,
	CONSTRAINT "health_thresholds_days" CHECK ("health_thresholds"."window_days" between 1 and 365 and "health_thresholds"."freeze_after_days" between 1 and 365)
);
--> statement-breakpoint
CREATE TABLE "shop_actions" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"reason" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metric" text,
	"dedupe_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text,
	"reversed_at" timestamp with time zone,
	"reversed_by" text,
	"reverse_reason" text,
	"appeal_message" text,
	"appeal_at" timestamp with time zone,
	"appeal_status" text,
	"appeal_decided_at" timestamp with time zone,
	"appeal_decided_by" text,
	"appeal_decision_reason" text
);
--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "max_new_listings_per_day" integer;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "max_orders_per_day" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_order_item_idx" ON "reviews" USING btree ("order_item_id");--> statement-breakpoint
CREATE INDEX "reviews_product_idx" ON "reviews" USING btree ("product_id","id");--> statement-breakpoint
CREATE INDEX "reviews_shop_idx" ON "reviews" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "shop_actions_shop_idx" ON "shop_actions" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "shop_actions_appeal_idx" ON "shop_actions" USING btree ("appeal_status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_actions_dedupe_idx" ON "shop_actions" USING btree ("shop_id","dedupe_key") WHERE "shop_actions"."status" = 'active' and "shop_actions"."dedupe_key" is not null;
--> statement-breakpoint
INSERT INTO "health_thresholds" ("market", "window_days", "freeze_after_days", "rules") SELECT "code", 30, 5, '[{"metric":"late_dispatch_rate","threshold":0.1,"min_orders":20,"action":"warning"},{"metric":"late_dispatch_rate","threshold":0.2,"min_orders":20,"action":"order_cap","params":{"max_orders_per_day":50}},{"metric":"cancellation_rate","threshold":0.15,"min_orders":20,"action":"warning"},{"metric":"fake_tracking_flags","threshold":3,"min_orders":0,"action":"payout_hold","params":{"reserve_bps":3000}},{"metric":"fake_tracking_flags","threshold":5,"min_orders":0,"action":"suspension"},{"metric":"refund_rate","threshold":0.25,"min_orders":20,"action":"listing_limit","params":{"max_new_listings_per_day":5}},{"metric":"not_as_described_cases","threshold":5,"min_orders":0,"action":"payout_hold","params":{"reserve_bps":3000}},{"metric":"dispute_losses","threshold":5,"min_orders":0,"action":"warning"},{"metric":"average_rating","threshold":3.0,"min_orders":0,"min_ratings":10,"action":"warning"}]'::jsonb FROM "markets" ON CONFLICT DO NOTHING;
