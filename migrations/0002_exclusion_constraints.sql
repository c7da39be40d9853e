-- Constraints drizzle-kit cannot express (EXCLUDE). They live here so every environment gets
-- them through the same migrator; the drizzle schema files document them in comments.

-- The booking backstop (DESIGN.md §2): no two time-occupying appointments of one barber may
-- overlap. '[)' = half-open, so back-to-back bookings are fine. Only active states take part:
-- a cancelled / completed / no-show row never blocks a slot. A violation is SQLSTATE 23P01,
-- which the API maps to 409 slot_unavailable. The GiST index behind it (btree_gist for the
-- uuid equality) also serves "what overlaps this range for barber X" reads.
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap"
  EXCLUDE USING gist ("barber_id" WITH =, tstzrange("start_time", "end_time", '[)') WITH &&)
  WHERE ("status" IN ('held', 'pending_payment', 'confirmed'));
--> statement-breakpoint
-- Weekly rules of one barber on one weekday must not overlap (breaks are gaps between rows).
ALTER TABLE "working_hours" ADD CONSTRAINT "working_hours_no_overlap"
  EXCLUDE USING gist ("barber_id" WITH =, "weekday" WITH =, int4range("start_minute", "end_minute", '[)') WITH &&);
