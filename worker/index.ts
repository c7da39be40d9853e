import { createApp } from './app';
import { telemetry } from './lib/telemetry';
import { handleNotificationBatch } from './queue/consumer';
import { registerApiRoutes } from './routes';
import { registerDevMetrics } from './routes/dev.metrics';
import { handleScheduled } from './scheduled';

export { BarberSchedule } from './do/barber-schedule';

// The API, then the dev-only metrics page (before the app's catch-all hands the rest to Remix).
const app = createApp({
  routes: (api) => {
    registerApiRoutes(api);
    registerDevMetrics(api);
  },
});

const handler: ExportedHandler<Env> & Required<Pick<ExportedHandler<Env>, 'fetch' | 'queue' | 'scheduled'>> = {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  // Bound first so what the consumer and the cron jobs count goes to this deployment's sink.
  queue: (batch, env) => {
    telemetry(env);
    return handleNotificationBatch(batch, env);
  },
  scheduled: (controller, env, ctx) => {
    telemetry(env);
    ctx.waitUntil(handleScheduled(controller, env));
  },
};

export default handler;
