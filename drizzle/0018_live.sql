CREATE TABLE "stock_holds" (
	"holder" text NOT NULL,
	"sku_id" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"remaining" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "stock_holds_holder_sku_id_pk" PRIMARY KEY("holder","sku_id"),
	CONSTRAINT "stock_holds_quantities" CHECK ("stock_holds"."remaining" >= 0 and "stock_holds"."remaining" <= "stock_holds"."quantity")
);
--> statement-breakpoint
CREATE TABLE "live_pins" (
	"live_id" text NOT NULL,
	"product_id" text NOT NULL,
	"position" integer NOT NULL,
	"pinned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "live_pins_live_id_product_id_pk" PRIMARY KEY("live_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "live_purchases" (
	"order_item_id" text PRIMARY KEY NOT NULL,
	"live_id" text NOT NULL,
	"order_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"product_id" text NOT NULL,
	"sku_id" text NOT NULL,
	"title" text NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "live_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"creator_id" text NOT NULL,
	"title" text NOT NULL,
	"stream_url" text NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"attested_by" text,
	"attested_at" timestamp with time zone,
	"attestation_version" text,
	"pinned_product_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "live_viewers" (
	"live_id" text NOT NULL,
	"node_id" text NOT NULL,
	"viewers" integer NOT NULL,
	"seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "live_viewers_live_id_node_id_pk" PRIMARY KEY("live_id","node_id"),
	CONSTRAINT "live_viewers_count" CHECK ("live_viewers"."viewers" >= 0)
);
--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "pool" text;--> statement-breakpoint
ALTER TABLE "live_pins" ADD CONSTRAINT "live_pins_live_id_live_sessions_id_fk" FOREIGN KEY ("live_id") REFERENCES "public"."live_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "live_purchases_live_idx" ON "live_purchases" USING btree ("live_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "live_sessions_one_live_per_creator" ON "live_sessions" USING btree ("creator_id") WHERE "live_sessions"."status" = 'live';--> statement-breakpoint
CREATE INDEX "live_sessions_creator_idx" ON "live_sessions" USING btree ("creator_id","id");--> statement-breakpoint
CREATE INDEX "live_sessions_status_idx" ON "live_sessions" USING btree ("status","id");