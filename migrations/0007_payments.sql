CREATE TABLE "stripe_customers" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"payment_method_id" text,
	"card_brand" text,
	"card_last4" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stripe_customers_customer_id_unique" UNIQUE("customer_id")
);
--> statement-breakpoint
ALTER TABLE "shops" ALTER COLUMN "policy" SET DEFAULT '{"hold_minutes":10,"deposit":{"kind":"none","value":0},"cancel_window_hours":24,"late_cancel_fee":{"kind":"none","value":0},"no_show_fee":{"kind":"none","value":0},"buffer_before_min":0,"buffer_after_min":0,"min_notice_min":60,"booking_window_days":60,"slot_step_min":15,"max_future_bookings":3,"waitlist_offer_minutes":30,"card_on_file":false}'::jsonb;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_account_id" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_charges_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_payouts_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_details_submitted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_requirements" jsonb;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "stripe_account_synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "paid_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "refunded_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "shop_id" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "stripe_charge_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "stripe_account_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "application_fee_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_of" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "attempts" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dispute_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dispute_status" text;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "stripe_customers" ADD CONSTRAINT "stripe_customers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_of_payments_id_fk" FOREIGN KEY ("refund_of") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_shop_created_idx" ON "payments" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_refund_of_idx" ON "payments" USING btree ("refund_of");--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_stripe_account_id_unique" UNIQUE("stripe_account_id");--> statement-breakpoint
-- Existing rows: their shop from the appointment, and each refund linked to the charge it returned.
UPDATE "payments" p SET "shop_id" = a."shop_id" FROM "appointments" a WHERE a."id" = p."appointment_id";--> statement-breakpoint
UPDATE "payments" r SET "refund_of" = (SELECT c."id" FROM "payments" c WHERE c."appointment_id" = r."appointment_id" AND c."kind" <> 'refund' ORDER BY c."created_at" LIMIT 1)
 WHERE r."kind" = 'refund' AND r."refund_of" IS NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_of_check" CHECK ("payments"."kind" <> 'refund' OR "payments"."refund_of" IS NOT NULL);