-- barbers.schedule_version moves on every change to what a barber's availability depends on.
-- Bookings bump it explicitly (the barber's Durable Object asserts and bumps it in the same
-- statement as the write); everything else is caught here, so no management write path can forget
-- and leave a Durable Object checking bookings against stale hours, time off or policy.
CREATE FUNCTION bump_barber_schedule_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'services' THEN
    UPDATE barbers SET schedule_version = schedule_version + 1
     WHERE id IN (SELECT barber_id FROM barber_services WHERE service_id = NEW.id);
  ELSIF TG_TABLE_NAME = 'shops' THEN
    UPDATE barbers SET schedule_version = schedule_version + 1 WHERE shop_id = NEW.id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE barbers SET schedule_version = schedule_version + 1 WHERE id = OLD.barber_id;
  ELSE
    UPDATE barbers SET schedule_version = schedule_version + 1
     WHERE id = NEW.barber_id OR (TG_OP = 'UPDATE' AND id = OLD.barber_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER working_hours_schedule_version AFTER INSERT OR UPDATE OR DELETE ON working_hours
  FOR EACH ROW EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
CREATE TRIGGER time_off_schedule_version AFTER INSERT OR UPDATE OR DELETE ON time_off
  FOR EACH ROW EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
CREATE TRIGGER barber_services_schedule_version AFTER INSERT OR UPDATE OR DELETE ON barber_services
  FOR EACH ROW EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
CREATE TRIGGER services_schedule_version AFTER UPDATE OF duration_min, price_cents, active ON services
  FOR EACH ROW WHEN (OLD.duration_min IS DISTINCT FROM NEW.duration_min OR OLD.price_cents IS DISTINCT FROM NEW.price_cents OR OLD.active IS DISTINCT FROM NEW.active)
  EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
CREATE TRIGGER shops_schedule_version AFTER UPDATE OF policy, timezone, active ON shops
  FOR EACH ROW WHEN (OLD.policy IS DISTINCT FROM NEW.policy OR OLD.timezone IS DISTINCT FROM NEW.timezone OR OLD.active IS DISTINCT FROM NEW.active)
  EXECUTE FUNCTION bump_barber_schedule_version();
--> statement-breakpoint
-- A barber's own row: (de)activation changes whether they can be booked at all.
CREATE FUNCTION bump_own_schedule_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.schedule_version := OLD.schedule_version + 1;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER barbers_active_schedule_version BEFORE UPDATE OF active ON barbers
  FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active)
  EXECUTE FUNCTION bump_own_schedule_version();
