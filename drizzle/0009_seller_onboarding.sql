CREATE TABLE "markets" (
	"code" text PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"timezone" text NOT NULL,
	"tax_rate_bps" integer NOT NULL,
	"ship_within_ms" bigint NOT NULL,
	"reservation_ttl_ms" bigint NOT NULL,
	"pickup_within_ms" bigint NOT NULL,
	"delivery_within_ms" bigint NOT NULL,
	"no_scan_flag_ms" bigint NOT NULL,
	"auto_cancel_grace_ms" bigint NOT NULL,
	"after_sales_window_ms" bigint NOT NULL,
	"case_answer_within_ms" bigint NOT NULL,
	"return_ship_within_ms" bigint NOT NULL,
	"return_receipt_within_ms" bigint NOT NULL,
	"case_escalate_within_ms" bigint NOT NULL,
	"required_documents" text[] DEFAULT '{}'::text[] NOT NULL,
	"sales_threshold" bigint,
	"slot_quota" integer,
	"link_policy_mode" text DEFAULT 'open' NOT NULL,
	"cutover_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"updated_by" text,
	CONSTRAINT "markets_tax_rate" CHECK ("markets"."tax_rate_bps" between 0 and 10000),
	CONSTRAINT "markets_thresholds" CHECK (coalesce("markets"."sales_threshold", 0) >= 0 and coalesce("markets"."slot_quota", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "seller_application_documents" (
	"id" text PRIMARY KEY NOT NULL,
	"uploader_id" text NOT NULL,
	"application_id" text,
	"kind" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seller_application_events" (
	"id" text PRIMARY KEY NOT NULL,
	"application_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" text,
	"actor_role" text NOT NULL,
	"note" text,
	"questions" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"code_hash" text NOT NULL,
	"code_hint" text NOT NULL,
	"market" text NOT NULL,
	"category" text NOT NULL,
	"max_uses" integer NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invitations_uses" CHECK ("invitations"."uses" between 0 and "invitations"."max_uses")
);
--> statement-breakpoint
CREATE TABLE "seller_applications" (
	"id" text PRIMARY KEY NOT NULL,
	"applicant_id" text NOT NULL,
	"invitation_id" text NOT NULL,
	"market" text NOT NULL,
	"category" text NOT NULL,
	"mode" text NOT NULL,
	"company_name" text NOT NULL,
	"registration_number" text NOT NULL,
	"tax_id" text NOT NULL,
	"registration_key" text NOT NULL,
	"tax_key" text NOT NULL,
	"contact" jsonb NOT NULL,
	"yearly_sales" bigint NOT NULL,
	"sales_currency" text NOT NULL,
	"sales_marketplace" text NOT NULL,
	"warehouses" jsonb NOT NULL,
	"status" text NOT NULL,
	"checks" jsonb NOT NULL,
	"auto_rejected" boolean DEFAULT false NOT NULL,
	"questions" jsonb,
	"shop_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "seller_application_documents" ADD CONSTRAINT "seller_application_documents_uploader_id_users_id_fk" FOREIGN KEY ("uploader_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_application_documents" ADD CONSTRAINT "seller_application_documents_application_id_seller_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."seller_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_application_events" ADD CONSTRAINT "seller_application_events_application_id_seller_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."seller_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_application_events" ADD CONSTRAINT "seller_application_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_applications" ADD CONSTRAINT "seller_applications_applicant_id_users_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_applications" ADD CONSTRAINT "seller_applications_invitation_id_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_applications" ADD CONSTRAINT "seller_applications_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seller_application_documents_application_idx" ON "seller_application_documents" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "seller_application_documents_uploader_idx" ON "seller_application_documents" USING btree ("uploader_id");--> statement-breakpoint
CREATE INDEX "seller_application_events_application_idx" ON "seller_application_events" USING btree ("application_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_code_hash_idx" ON "invitations" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "seller_applications_status_idx" ON "seller_applications" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "seller_applications_applicant_idx" ON "seller_applications" USING btree ("applicant_id","id");--> statement-breakpoint
CREATE INDEX "seller_applications_registration_idx" ON "seller_applications" USING btree ("registration_key");--> statement-breakpoint
CREATE INDEX "seller_applications_tax_idx" ON "seller_applications" USING btree ("tax_key");--> statement-breakpoint
INSERT INTO "markets" ("code", "currency", "timezone", "tax_rate_bps", "ship_within_ms", "reservation_ttl_ms", "pickup_within_ms", "delivery_within_ms", "no_scan_flag_ms", "auto_cancel_grace_ms", "after_sales_window_ms", "case_answer_within_ms", "return_ship_within_ms", "return_receipt_within_ms", "case_escalate_within_ms", "required_documents", "sales_threshold", "slot_quota") VALUES
	('US', 'USD', 'America/New_York', 0, 259200000, 900000, 86400000, 259200000, 172800000, 86400000, 604800000, 172800000, 432000000, 691200000, 259200000, '{local_stock_proof,sales_statement,licence}', 200000000, 50),
	('GB', 'GBP', 'Europe/London', 2000, 259200000, 900000, 86400000, 259200000, 172800000, 86400000, 604800000, 172800000, 432000000, 691200000, 259200000, '{local_stock_proof,licence}', 50000000, 100),
	('CN', 'CNY', 'Asia/Shanghai', 0, 172800000, 900000, 86400000, 259200000, 172800000, 86400000, 604800000, 172800000, 432000000, 691200000, 259200000, '{licence}', NULL, NULL);
