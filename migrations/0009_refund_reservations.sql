ALTER TABLE "payments" ADD COLUMN "refund_reserved_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- What existing refunds (made or under way) already take from each charge.
UPDATE "payments" c SET "refund_reserved_cents" = least(c."amount_cents", r.total)
  FROM (SELECT "refund_of", sum("amount_cents")::int AS total FROM "payments"
         WHERE "kind" = 'refund' AND "status" IN ('processing', 'succeeded') GROUP BY "refund_of") r
 WHERE c."id" = r."refund_of";--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_reserved_check" CHECK ("payments"."refund_reserved_cents" BETWEEN 0 AND "payments"."amount_cents");