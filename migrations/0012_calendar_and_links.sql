CREATE TABLE "calendar_events" (
	"appointment_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_events_appointment_id_connection_id_pk" PRIMARY KEY("appointment_id","connection_id")
);
--> statement-breakpoint
CREATE TABLE "manage_link_uses" (
	"jti" text PRIMARY KEY NOT NULL,
	"appointment_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "time_off" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "time_off" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "calendar_connections" ADD COLUMN "block_busy" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_connections" ADD COLUMN "sync_error" text;--> statement-breakpoint
ALTER TABLE "calendar_connections" ADD COLUMN "synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_connection_id_calendar_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."calendar_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_off" ADD CONSTRAINT "time_off_source_check" CHECK ("time_off"."source" IN ('manual', 'google'));