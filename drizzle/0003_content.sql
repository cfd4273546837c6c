CREATE TABLE "creator_showcase" (
	"creator_id" text NOT NULL,
	"product_id" text NOT NULL,
	"position" integer NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_showcase_creator_id_product_id_pk" PRIMARY KEY("creator_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "video_anchors" (
	"id" text PRIMARY KEY NOT NULL,
	"video_id" text NOT NULL,
	"position" integer NOT NULL,
	"type" text NOT NULL,
	"product_id" text,
	"url" text,
	"title" text,
	CONSTRAINT "video_anchors_kind_check" CHECK (("video_anchors"."type" = 'product' and "video_anchors"."product_id" is not null) or ("video_anchors"."type" = 'external' and "video_anchors"."url" is not null))
);
--> statement-breakpoint
CREATE TABLE "videos" (
	"id" text PRIMARY KEY NOT NULL,
	"creator_id" text NOT NULL,
	"caption" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'processing' NOT NULL,
	"failure_reason" text,
	"duration_ms" integer,
	"width" integer,
	"height" integer,
	"size_bytes" bigint,
	"media_path" text,
	"poster_path" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "creator_showcase" ADD CONSTRAINT "creator_showcase_creator_id_users_id_fk" FOREIGN KEY ("creator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_anchors" ADD CONSTRAINT "video_anchors_video_id_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."videos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "videos" ADD CONSTRAINT "videos_creator_id_users_id_fk" FOREIGN KEY ("creator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "video_anchors_position_idx" ON "video_anchors" USING btree ("video_id","position");--> statement-breakpoint
CREATE INDEX "video_anchors_product_idx" ON "video_anchors" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "videos_feed_idx" ON "videos" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "videos_creator_idx" ON "videos" USING btree ("creator_id","id");