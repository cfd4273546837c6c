CREATE TABLE "replacement_allowances" (
	"case_id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"items" jsonb NOT NULL,
	"shipment_id" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "shipments" ADD COLUMN "replacement_case_id" text;--> statement-breakpoint
CREATE INDEX "replacement_allowances_order_idx" ON "replacement_allowances" USING btree ("order_id");