import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerArriveAppointment } from './v1/appointments.arrive';
import { registerCancelAppointment } from './v1/appointments.cancel';
import { registerCancelPreview } from './v1/appointments.cancel-preview';
import { registerCompleteAppointment } from './v1/appointments.complete';
import { registerConfirmAppointment } from './v1/appointments.confirm';
import { registerCreateAppointment } from './v1/appointments.create';
import { registerNoShowAppointment } from './v1/appointments.no-show';
import { registerRescheduleAppointment } from './v1/appointments.reschedule';
import { registerBarberAvailability } from './v1/barbers.availability';
import { registerShopAvailability } from './v1/shops.availability';
import { registerJoinWaitlist } from './v1/waitlist.create';
import { registerLeaveWaitlist } from './v1/waitlist.delete';
import { registerListWaitlist } from './v1/waitlist.list';

/** Availability, booking and the waitlist: everything that reads or occupies a barber's time. */
export function registerBookingRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerBarberAvailability(app);
  registerShopAvailability(app);
  registerCreateAppointment(app);
  registerRescheduleAppointment(app);
  registerCancelPreview(app);
  registerCancelAppointment(app);
  registerConfirmAppointment(app);
  registerArriveAppointment(app);
  registerCompleteAppointment(app);
  registerNoShowAppointment(app);
  registerJoinWaitlist(app);
  registerListWaitlist(app);
  registerLeaveWaitlist(app);
}
