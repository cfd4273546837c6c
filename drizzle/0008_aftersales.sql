CREATE TABLE "after_sales_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"reason_code" text,
	"order_item_id" text,
	"quantity" integer,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"return_carrier" text,
	"return_tracking_number" text,
	"return_shipped_at" timestamp with time zone,
	"seller_due_at" timestamp with time zone,
	"return_due_at" timestamp with time zone,
	"receipt_due_at" timestamp with time zone,
	"escalation_due_at" timestamp with time zone,
	"decision" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "after_sales_cases_amounts" CHECK ("after_sales_cases"."amount" > 0 and "after_sales_cases"."refunded_amount" between 0 and "after_sales_cases"."amount")
);
--> statement-breakpoint
CREATE TABLE "after_sales_events" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"type" text NOT NULL,
	"by_role" text NOT NULL,
	"by_user_id" text,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "after_sales_evidence" (
	"id" text PRIMARY KEY NOT NULL,
	"uploader_id" text NOT NULL,
	"case_id" text,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "after_sales_events" ADD CONSTRAINT "after_sales_events_case_id_after_sales_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."after_sales_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_evidence" ADD CONSTRAINT "after_sales_evidence_case_id_after_sales_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."after_sales_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "after_sales_cases_one_open_idx" ON "after_sales_cases" USING btree ("order_id") WHERE "after_sales_cases"."status" not in ('refunded', 'resolved_buyer', 'resolved_seller', 'closed');--> statement-breakpoint
CREATE INDEX "after_sales_cases_order_idx" ON "after_sales_cases" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "after_sales_cases_shop_idx" ON "after_sales_cases" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "after_sales_cases_buyer_idx" ON "after_sales_cases" USING btree ("buyer_id","id");--> statement-breakpoint
CREATE INDEX "after_sales_cases_status_idx" ON "after_sales_cases" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "after_sales_events_case_idx" ON "after_sales_events" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "after_sales_evidence_case_idx" ON "after_sales_evidence" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "after_sales_evidence_uploader_idx" ON "after_sales_evidence" USING btree ("uploader_id");