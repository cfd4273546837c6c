CREATE TABLE "commission_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"category" text,
	"rate_bps" integer NOT NULL,
	"new_shop_days" integer,
	"subsidy_bps" integer DEFAULT 0 NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_to" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "commission_rules_rates" CHECK ("commission_rules"."rate_bps" between 0 and 10000 and "commission_rules"."subsidy_bps" between 0 and 10000),
	CONSTRAINT "commission_rules_window" CHECK ("commission_rules"."effective_to" is null or "commission_rules"."effective_to" > "commission_rules"."effective_from")
);
--> statement-breakpoint
CREATE TABLE "payout_holds" (
	"shop_id" text PRIMARY KEY NOT NULL,
	"hold" boolean NOT NULL,
	"reason" text,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" text PRIMARY KEY NOT NULL,
	"payee_type" text NOT NULL,
	"payee_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'in_transit' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payouts_amount_positive" CHECK ("payouts"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "settlements" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"currency" text NOT NULL,
	"held" bigint NOT NULL,
	"commission" bigint NOT NULL,
	"affiliate" bigint NOT NULL,
	"subsidy" bigint NOT NULL,
	"seller_amount" bigint NOT NULL,
	"lines" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "affiliate_rate_bps" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "order_items" ADD COLUMN "affiliate_rate_bps" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "order_items" ADD COLUMN "category" text;--> statement-breakpoint
CREATE INDEX "commission_rules_from_idx" ON "commission_rules" USING btree ("effective_from");--> statement-breakpoint
CREATE INDEX "payouts_payee_idx" ON "payouts" USING btree ("payee_type","payee_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "settlements_order_idx" ON "settlements" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "settlements_shop_idx" ON "settlements" USING btree ("shop_id","id");--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_affiliate_rate" CHECK ("products"."affiliate_rate_bps" between 0 and 5000);--> statement-breakpoint
INSERT INTO "commission_rules" ("id", "category", "rate_bps", "new_shop_days", "subsidy_bps", "effective_from", "effective_to", "created_by", "created_at") VALUES ('cmr_00000000000000000000000000', NULL, 800, NULL, 0, '1970-01-01T00:00:00Z', NULL, 'system', '1970-01-01T00:00:00Z');
