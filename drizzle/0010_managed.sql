CREATE TABLE "inbound_shipments" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"carrier" text,
	"tracking_number" text,
	"status" text NOT NULL,
	"items" jsonb NOT NULL,
	"note" text,
	"created_by" text NOT NULL,
	"received_by" text,
	"received_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "managed_returns" (
	"case_id" text NOT NULL,
	"order_item_id" text NOT NULL,
	"order_id" text NOT NULL,
	"sku_id" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "managed_returns_case_id_order_item_id_pk" PRIMARY KEY("case_id","order_item_id"),
	CONSTRAINT "managed_returns_quantity_positive" CHECK ("managed_returns"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "managed_skus" (
	"sku_id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"product_id" text NOT NULL,
	"offer_id" text NOT NULL,
	"supply_price" bigint NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "managed_skus_supply_positive" CHECK ("managed_skus"."supply_price" > 0)
);
--> statement-breakpoint
CREATE TABLE "supply_offers" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text,
	"images" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"option_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"variants" jsonb NOT NULL,
	"currency" text NOT NULL,
	"product_id" text,
	"warehouse_id" text,
	"note" text,
	"submitted_by" text NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "managed_skus" ADD CONSTRAINT "managed_skus_offer_id_supply_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."supply_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbound_shipments_shop_idx" ON "inbound_shipments" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "inbound_shipments_status_idx" ON "inbound_shipments" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "managed_returns_order_idx" ON "managed_returns" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "managed_skus_shop_idx" ON "managed_skus" USING btree ("shop_id");--> statement-breakpoint
CREATE INDEX "supply_offers_shop_idx" ON "supply_offers" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "supply_offers_status_idx" ON "supply_offers" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "warehouses_one_platform_default_idx" ON "warehouses" USING btree ("is_default") WHERE "warehouses"."shop_id" is null and "warehouses"."is_default";