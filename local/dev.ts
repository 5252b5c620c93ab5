/**
 * `npm run dev`: the whole stack on this machine in one command (`local/stack.ts`), with the
 * addresses and a few requests to try printed once it is up. Ctrl-C stops everything.
 */
import { log } from '../origin/log.ts';
import { startLocalStack, type LocalStack } from './stack.ts';

let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stack?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

function banner(s: LocalStack): string {
  const edge = s.edgeUrl;
  const origin = s.originUrl;
  const database = s.services.db.kind === 'pglite' ? `PGlite in ${process.env.PGLITE_DIR ?? '.data/pglite'}` : 'DATABASE_URL';
  return `
Strata is running
  edge      ${edge}        (wrangler dev, workerd)
  origin    ${origin}        (Node, same app as the Lambda handler)
  redis     ${s.cache}
  upstash   ${s.upstash ? `${s.upstash.url}  (local Upstash REST endpoint)` : 'off (no redis-server found)'}
  postgres  ${database}${s.seeded > 0 ? ` (seeded ${s.seeded} demo rows)` : ''}
  purges    origin outbox → ${edge}/_strata/purge, signed with a key made for this run

Try (run the read twice: the second answer is a hit at the edge):
  curl -i ${edge}/v1/acme/public/projects

Write, then read again: the edge was purged and fetches the new name (Cache-Status: … fwd=miss):
  TOKEN=$(curl -s -X POST ${edge}/v1/acme/sessions -H 'content-type: application/json' \\
    -d '{"email":"alice@acme.test","password":"correct horse battery staple"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -s -X PATCH ${edge}/v1/acme/projects/1a000000-0000-4000-8000-000000000001 -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{"name":"Renamed"}'
  curl -i ${edge}/v1/acme/public/projects/1a000000-0000-4000-8000-000000000001

Ctrl-C stops everything.`;
}

try {
  stack = await startLocalStack({ output: 'inherit' });
  console.log(banner(stack));
} catch (error) {
  log.error('dev stack failed to start', { error: String(error instanceof Error ? error.stack : error) });
  await shutdown(1);
}
