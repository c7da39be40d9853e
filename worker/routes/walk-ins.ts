import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HonoEnv } from '../types';
import { registerJoinWalkIn } from './v1/walk-ins.join';
import { registerLeaveWalkIn } from './v1/walk-ins.leave';
import { registerListWalkIns } from './v1/walk-ins.list';
import { registerWalkInQuote } from './v1/walk-ins.quote';
import { registerWalkInStatus } from './v1/walk-ins.status';

/** The walk-in queue: public quote, join, status and leave; the staff's live queue. */
export function registerWalkInRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerWalkInQuote(app);
  registerJoinWalkIn(app);
  registerListWalkIns(app);
  registerWalkInStatus(app);
  registerLeaveWalkIn(app);
}
