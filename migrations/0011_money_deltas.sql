-- appointments.paid_cents / refunded_cents by delta, not by re-summing: the sum in a trigger is
-- taken from the statement's snapshot, so two payments of one appointment committing at once
-- would each write a total missing the other. `x = x + delta` is re-evaluated on the committed
-- row after the row lock, so concurrent changes add up.
CREATE OR REPLACE FUNCTION sync_appointment_money() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  paid_delta int := 0;
  refunded_delta int := 0;
BEGIN
  IF NEW.kind <> 'refund' AND NEW.status IN ('succeeded', 'refunded') THEN paid_delta := NEW.amount_cents; END IF;
  IF NEW.kind = 'refund' AND NEW.status = 'succeeded' THEN refunded_delta := NEW.amount_cents; END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD.kind <> 'refund' AND OLD.status IN ('succeeded', 'refunded') THEN paid_delta := paid_delta - OLD.amount_cents; END IF;
    IF OLD.kind = 'refund' AND OLD.status = 'succeeded' THEN refunded_delta := refunded_delta - OLD.amount_cents; END IF;
  END IF;
  IF paid_delta <> 0 OR refunded_delta <> 0 THEN
    UPDATE appointments SET paid_cents = paid_cents + paid_delta, refunded_cents = refunded_cents + refunded_delta
     WHERE id = NEW.appointment_id;
  END IF;
  RETURN NULL;
END $$;
