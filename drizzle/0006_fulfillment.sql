CREATE TABLE "fulfillment_flags" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"order_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"rule" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"cleared_by" text,
	"cleared_at" timestamp with time zone,
	"note" text,
	CONSTRAINT "fulfillment_flags_status" CHECK ("fulfillment_flags"."status" in ('open', 'cleared'))
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"carrier" text NOT NULL,
	"tracking_number" text NOT NULL,
	"status" text NOT NULL,
	"items" jsonb NOT NULL,
	"destination_postal_code" text NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"picked_up_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"last_event_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sla_breaches" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"order_id" text NOT NULL,
	"shipment_id" text,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracking_events" (
	"id" text PRIMARY KEY NOT NULL,
	"shipment_id" text NOT NULL,
	"carrier" text NOT NULL,
	"carrier_event_id" text NOT NULL,
	"status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"postal_code" text,
	"description" text DEFAULT '' NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escrow_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"lifted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "refunded_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fulfillment_flags_shipment_rule_idx" ON "fulfillment_flags" USING btree ("shipment_id","rule");--> statement-breakpoint
CREATE INDEX "fulfillment_flags_order_idx" ON "fulfillment_flags" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "fulfillment_flags_shop_idx" ON "fulfillment_flags" USING btree ("shop_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "shipments_tracking_order_idx" ON "shipments" USING btree ("carrier","tracking_number","order_id");--> statement-breakpoint
CREATE INDEX "shipments_order_idx" ON "shipments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "shipments_shop_idx" ON "shipments" USING btree ("shop_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_breaches_order_kind_idx" ON "sla_breaches" USING btree ("order_id","kind");--> statement-breakpoint
CREATE INDEX "sla_breaches_shop_idx" ON "sla_breaches" USING btree ("shop_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tracking_events_carrier_event_idx" ON "tracking_events" USING btree ("carrier","carrier_event_id","shipment_id");--> statement-breakpoint
CREATE INDEX "tracking_events_shipment_idx" ON "tracking_events" USING btree ("shipment_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "escrow_holds_ref_idx" ON "escrow_holds" USING btree ("kind","ref");--> statement-breakpoint
CREATE INDEX "escrow_holds_order_idx" ON "escrow_holds" USING btree ("order_id");