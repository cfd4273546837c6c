CREATE TABLE "analytics_events" (
	"actor" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"user_id" text,
	"device_id" text,
	"shop_id" text,
	"video_id" text,
	"product_id" text,
	"sku_id" text,
	"live_id" text,
	"creator_id" text,
	"watched_ms" integer,
	"duration_ms" integer,
	"completed" boolean,
	"order_id" text,
	"amount" bigint,
	"currency" text,
	"data" jsonb,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "analytics_events_actor_event_id_pk" PRIMARY KEY("actor","event_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_state" (
	"id" text PRIMARY KEY NOT NULL,
	"watermark" "xid8" NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups" (
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
	CONSTRAINT "analytics_rollups_shop_id_dim_bucket_key_pk" PRIMARY KEY("shop_id","dim","bucket","key")
);
--> statement-breakpoint
CREATE INDEX "analytics_events_xid_idx" ON "analytics_events" USING btree ("xid");--> statement-breakpoint
CREATE INDEX "analytics_rollups_key_idx" ON "analytics_rollups" USING btree ("dim","key","bucket");