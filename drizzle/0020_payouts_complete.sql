ALTER TABLE "payouts" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payouts" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payouts" ADD COLUMN "failure_reason" text;--> statement-breakpoint
CREATE INDEX "payouts_in_transit_idx" ON "payouts" USING btree ("created_at","id") WHERE "payouts"."status" = 'in_transit';--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_outcome" CHECK (("payouts"."paid_at" is not null) = ("payouts"."status" = 'paid') and ("payouts"."failed_at" is not null) = ("payouts"."status" = 'failed') and ("payouts"."failure_reason" is null or "payouts"."status" = 'failed'));