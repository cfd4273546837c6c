ALTER TABLE "showcase_links" ADD COLUMN "replaced_by_product_id" text;--> statement-breakpoint
ALTER TABLE "video_anchors" ADD COLUMN "replaced_by_product_id" text;