import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerGetAppointment } from './v1/appointments.get';
import { registerListAppointments } from './v1/appointments.list';
import { registerLogin } from './v1/auth.login';
import { registerLogout } from './v1/auth.logout';
import { registerMe } from './v1/auth.me';
import { registerForgotPassword } from './v1/auth.password-forgot';
import { registerResetPassword } from './v1/auth.password-reset';
import { registerRefresh } from './v1/auth.refresh';
import { registerRegister } from './v1/auth.register';
import { registerVerifyEmail } from './v1/auth.verify-email';
import { registerDocs } from './v1/docs';
import { registerJwks } from './v1/jwks.get';
import { registerHealth } from './v1/health.get';
import { registerGoogleCallback } from './v1/integrations.google-callback';
import { registerGoogleConnect } from './v1/integrations.google-connect';
import { registerGoogleDisconnect } from './v1/integrations.google-disconnect';
import { registerGoogleSettings } from './v1/integrations.google-settings';
import { registerListShops } from './v1/shops.list';
import { registerManagementRoutes } from './management';
import { registerBookingRoutes } from './booking';
import { registerWalkInRoutes } from './walk-ins';
import { registerPaymentRoutes } from './payments';
import { registerNotificationRoutes } from './notifications';
import { registerManageCancel } from './v1/manage.cancel';
import { registerManageLink } from './v1/manage.get';
import { registerTwilioWebhook } from './v1/webhooks.twilio';

/** Every API route, in one readable list. Add a route: one file in ./v1, one line here. */
export function registerApiRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerHealth(app);
  registerDocs(app);
  registerListShops(app);
  registerManagementRoutes(app);

  registerRegister(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  registerMe(app);
  registerForgotPassword(app);
  registerResetPassword(app);
  registerVerifyEmail(app);
  registerJwks(app);

  registerListAppointments(app);
  registerGetAppointment(app);
  registerBookingRoutes(app);
  registerWalkInRoutes(app);
  registerPaymentRoutes(app);
  // Google Calendar sync (issue #12)
  registerGoogleConnect(app);
  registerGoogleCallback(app);
  registerGoogleSettings(app);
  registerGoogleDisconnect(app);
  registerNotificationRoutes(app);

  // Manage links in booking messages and SMS replies: proven by the link's or Twilio's signature.
  registerManageLink(app);
  registerManageCancel(app);
  registerTwilioWebhook(app);
}
