import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerReplaceBarberServices } from './v1/barber-services.replace';
import { registerCalendarFeed } from './v1/barbers.calendar-ics';
import { registerCalendarToken } from './v1/barbers.calendar-token';
import { registerDeactivateBarber } from './v1/barbers.deactivate';
import { registerListShopBarbers } from './v1/barbers.list';
import { registerCreateClientNote } from './v1/client-notes.create';
import { registerGetClient } from './v1/clients.get';
import { registerSearchClients } from './v1/clients.search';
import { registerAcceptInvitation } from './v1/invitations.accept';
import { registerCreateInvitation } from './v1/invitations.create';
import { registerCreateService } from './v1/services.create';
import { registerUpdateService } from './v1/services.update';
import { registerCreateShop } from './v1/shops.create';
import { registerGetShop } from './v1/shops.get';
import { registerShopReport } from './v1/shops.reports';
import { registerUpdateShop } from './v1/shops.update';
import { registerCreateTimeOff } from './v1/time-off.create';
import { registerDeleteTimeOff } from './v1/time-off.delete';
import { registerListTimeOff } from './v1/time-off.list';
import { registerDaySheet } from './v1/barbers.day-sheet';
import { registerReplaceWorkingHours } from './v1/working-hours.replace';

/**
 * The management API (issue #5): onboarding, the public shop page, staff, catalogue, schedule and
 * client records. Register AFTER the shop list route: GET /api/v1/shops/{slug} must not shadow it
 * (it cannot — different segment count — but the order keeps the listing readable).
 */
export function registerManagementRoutes(app: OpenAPIHono<HonoEnv>): void {
  // Onboarding and shop profile
  registerCreateShop(app);
  registerGetShop(app);
  registerUpdateShop(app);
  // Staff
  registerCreateInvitation(app);
  registerAcceptInvitation(app);
  registerDeactivateBarber(app);
  registerListShopBarbers(app);
  // Catalogue
  registerCreateService(app);
  registerUpdateService(app);
  registerReplaceBarberServices(app);
  // Schedule
  registerReplaceWorkingHours(app);
  registerCreateTimeOff(app);
  registerListTimeOff(app);
  registerDaySheet(app);
  registerDeleteTimeOff(app);
  registerCalendarToken(app);
  registerCalendarFeed(app);
  // Client records
  registerSearchClients(app);
  registerGetClient(app);
  registerCreateClientNote(app);
  // Reports
  registerShopReport(app);
}
