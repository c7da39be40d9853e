-- appointments.paid_cents / refunded_cents are what really moved for the appointment: every
-- charge that succeeded (deposit, prepay, fee) and every refund that did. Kept here, in the same
-- transaction as the payment row, so no writer can forget and every read of an appointment shows
-- the money without summing payments.
CREATE FUNCTION sync_appointment_money() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE appointments a
     SET paid_cents = m.paid, refunded_cents = m.refunded
    FROM (SELECT coalesce(sum(amount_cents) FILTER (WHERE kind <> 'refund' AND status IN ('succeeded', 'refunded')), 0)::int AS paid,
                 coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund' AND status = 'succeeded'), 0)::int AS refunded
            FROM payments WHERE appointment_id = NEW.appointment_id) m
   WHERE a.id = NEW.appointment_id AND (a.paid_cents, a.refunded_cents) IS DISTINCT FROM (m.paid, m.refunded);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_appointment_money AFTER INSERT OR UPDATE OF status, amount_cents ON payments
  FOR EACH ROW EXECUTE FUNCTION sync_appointment_money();
--> statement-breakpoint
UPDATE appointments a
   SET paid_cents = m.paid, refunded_cents = m.refunded
  FROM (SELECT appointment_id,
               coalesce(sum(amount_cents) FILTER (WHERE kind <> 'refund' AND status IN ('succeeded', 'refunded')), 0)::int AS paid,
               coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund' AND status = 'succeeded'), 0)::int AS refunded
          FROM payments GROUP BY appointment_id) m
 WHERE a.id = m.appointment_id;
--> statement-breakpoint
-- Whether a shop can take card payments is part of what its barbers' objects check a booking
-- against (a deposit booking needs it): an account change moves their schedule versions too.
DROP TRIGGER shops_schedule_version ON shops;
--> statement-breakpoint
CREATE TRIGGER shops_schedule_version AFTER UPDATE OF policy, timezone, active, stripe_account_id, stripe_charges_enabled ON shops
  FOR EACH ROW WHEN (OLD.policy IS DISTINCT FROM NEW.policy OR OLD.timezone IS DISTINCT FROM NEW.timezone OR OLD.active IS DISTINCT FROM NEW.active
                     OR OLD.stripe_account_id IS DISTINCT FROM NEW.stripe_account_id OR OLD.stripe_charges_enabled IS DISTINCT FROM NEW.stripe_charges_enabled)
  EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
-- Barbers' objects keep snapshots taken before the shop's payment state was part of them: move
-- every version once so each reloads before its next booking.
UPDATE barbers SET schedule_version = schedule_version + 1;
