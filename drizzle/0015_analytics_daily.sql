CREATE TABLE "analytics_rollups_daily" (
	"shop_id" text NOT NULL,
	"dim" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"key" text NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"views" bigint DEFAULT 0 NOT NULL,
	"views_3s" bigint DEFAULT 0 NOT NULL,
	"completed_views" bigint DEFAULT 0 NOT NULL,
	"watched_ms" bigint DEFAULT 0 NOT NULL,
	"product_clicks" bigint DEFAULT 0 NOT NULL,
	"add_to_carts" bigint DEFAULT 0 NOT NULL,
	"checkouts" bigint DEFAULT 0 NOT NULL,
	"orders" bigint DEFAULT 0 NOT NULL,
	"gmv" bigint DEFAULT 0 NOT NULL,
	"commission" bigint DEFAULT 0 NOT NULL,
	"refunds" bigint DEFAULT 0 NOT NULL,
	"refund_amount" bigint DEFAULT 0 NOT NULL,
	"outbound_clicks" bigint DEFAULT 0 NOT NULL,
	"live_joins" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_rollups_daily_shop_id_dim_bucket_key_pk" PRIMARY KEY("shop_id","dim","bucket","key")
);
--> statement-breakpoint
CREATE INDEX "analytics_rollups_daily_key_idx" ON "analytics_rollups_daily" USING btree ("dim","key","bucket");