import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerListShopNotifications } from './v1/shops.notifications';

/** Notifications: the owner's view of failed deliveries. (The dev outbox is not an API route: see app.ts.) */
export function registerNotificationRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListShopNotifications(app);
}
