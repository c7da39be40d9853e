CREATE TABLE "dev_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text,
	"text" text NOT NULL,
	"html" text,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "barbers" ADD COLUMN "ics_token_hash" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notify_email" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notify_sms" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sms_opted_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "locale" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "ics_sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "reminded_24h_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "reminded_2h_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "shop_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "provider_message_id" text;--> statement-breakpoint
CREATE INDEX "dev_outbox_created_idx" ON "dev_outbox" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "notifications_shop_status_idx" ON "notifications" USING btree ("shop_id","status");--> statement-breakpoint
ALTER TABLE "barbers" ADD CONSTRAINT "barbers_ics_token_hash_unique" UNIQUE("ics_token_hash");--> statement-breakpoint
-- iCalendar SEQUENCE: calendar clients take an event change only when its SEQUENCE grows, so it
-- moves with every change a client would see — time, barber, status — whichever path made it.
CREATE FUNCTION bump_ics_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.ics_sequence := OLD.ics_sequence + 1;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER appointments_ics_sequence BEFORE UPDATE OF start_time, end_time, status, barber_id ON appointments
  FOR EACH ROW WHEN (OLD.start_time IS DISTINCT FROM NEW.start_time OR OLD.end_time IS DISTINCT FROM NEW.end_time
                     OR OLD.status IS DISTINCT FROM NEW.status OR OLD.barber_id IS DISTINCT FROM NEW.barber_id)
  EXECUTE FUNCTION bump_ics_sequence();
