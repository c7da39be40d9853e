import { createApp } from './app';
import { handleNotificationBatch } from './queue/consumer';
import { handleScheduled } from './scheduled';

export { BarberSchedule } from './do/barber-schedule';

const app = createApp();

const handler: ExportedHandler<Env> & Required<Pick<ExportedHandler<Env>, 'fetch' | 'queue' | 'scheduled'>> = {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env) => handleNotificationBatch(batch, env),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(handleScheduled(controller, env));
  },
};

export default handler;
