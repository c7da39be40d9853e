ALTER TABLE "shops" ALTER COLUMN "policy" SET DEFAULT '{"hold_minutes":10,"deposit":{"kind":"none","value":0},"cancel_window_hours":24,"late_cancel_fee":{"kind":"none","value":0},"no_show_fee":{"kind":"none","value":0},"buffer_before_min":0,"buffer_after_min":0,"min_notice_min":60,"booking_window_days":60,"slot_step_min":15,"max_future_bookings":3,"waitlist_offer_minutes":30}'::jsonb;--> statement-breakpoint
ALTER TABLE "barbers" ADD COLUMN "schedule_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "cancelled_by" uuid;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "source" text DEFAULT 'online' NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "booked_by" uuid;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "settlement" text;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "fee_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "refund_due_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD COLUMN "day_start_minute" smallint;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD COLUMN "day_end_minute" smallint;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_cancelled_by_users_id_fk" FOREIGN KEY ("cancelled_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_booked_by_users_id_fk" FOREIGN KEY ("booked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_source_check" CHECK ("appointments"."source" IN ('online', 'staff', 'walk_in', 'waitlist'));--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_settlement_check" CHECK ("appointments"."settlement" IS NULL OR "appointments"."settlement" IN ('none', 'refund', 'keep_deposit', 'late_fee', 'no_show_fee'));--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_fee_check" CHECK ("appointments"."fee_cents" BETWEEN 0 AND greatest("appointments"."price_cents", 0));--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_refund_due_check" CHECK ("appointments"."refund_due_cents" >= 0);--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_day_range_check" CHECK (("waitlist_entries"."day_start_minute" IS NULL) = ("waitlist_entries"."day_end_minute" IS NULL) AND ("waitlist_entries"."day_start_minute" IS NULL OR ("waitlist_entries"."day_start_minute" >= 0 AND "waitlist_entries"."day_end_minute" <= 1440 AND "waitlist_entries"."day_end_minute" > "waitlist_entries"."day_start_minute")));