CREATE TABLE "sms_inbound" (
	"message_sid" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reply" text
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "sender" text;--> statement-breakpoint
CREATE INDEX "sms_inbound_received_idx" ON "sms_inbound" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "notifications_sms_sent_idx" ON "notifications" USING btree ("recipient","sent_at") WHERE "notifications"."channel" = 'sms' AND "notifications"."status" = 'sent';