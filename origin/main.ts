/**
 * Node entry point: `node origin/main.ts` (or `npm run start:origin`). Reads the environment,
 * builds the services, serves until SIGINT/SIGTERM, then closes everything.
 */
import { loadConfig } from './config.ts';
import { log } from './log.ts';
import { startOriginServer } from './server.ts';
import { buildServices } from './services.ts';

const config = loadConfig();
const services = await buildServices(config);
const server = await startOriginServer(services, config.host, config.port);
// Purges are sent right after each commit; the schedule redelivers what failed (as EventBridge does on Lambda).
const stopSchedule = services.outbox.schedule(config.outbox.intervalMs);
log.info('origin listening', { url: server.url, database: services.db.kind, cache: services.cache.name });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    stopSchedule();
    await server.close();
    await services.close();
    process.exit(0);
  });
}
