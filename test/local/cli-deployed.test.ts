/**
 * `strata` against a deployed-style origin: the real binary (`cli/bin.js`) in a child process,
 * the real origin app (PGlite, in-memory cache) behind a stand-in for API Gateway that runs the
 * real edge-token authorizer (`origin/gateway/edge-token.ts`) and answers as API Gateway does
 * when it refuses (401 without the header, 403 with another token). With `STRATA_EDGE_TOKEN` or
 * `--edge-token`, every request to the origin URL carries `x-strata-edge-token`; without it the
 * failure is one line naming the variable; no token is ever printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../origin/app.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { EDGE_TOKEN_HEADER, edgeTokenAuthorizer } from '../../origin/gateway/edge-token.ts';
import { logger } from '../../origin/log.ts';
import { buildServices, type Services } from '../../origin/services.ts';

const BIN = resolve(import.meta.dirname, '../../cli/bin.js');
const OPERATOR_TOKEN = 'operator-token-deployed-0123456789abcdef';
const EDGE_TOKEN = 'edge-token-deployed-0123456789abcdef0123456789';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function strata(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('strata against an origin behind API Gateway', () => {
  let services: Services;
  let gateway: ServerType;
  let gatewayUrl: string;
  let cwd: string;
  /** What reached the gateway: path and the edge token presented, in order. */
  const seen: { path: string; edgeToken: string | undefined; forwarded: boolean }[] = [];
  const deployed = (extra: Record<string, string> = {}) => ({ STRATA_ORIGIN_URL: gatewayUrl, STRATA_OPERATOR_TOKEN: OPERATOR_TOKEN, ...extra });
  const noSecretIn = (run: Run) => {
    for (const secret of [OPERATOR_TOKEN, EDGE_TOKEN]) expect(run.stdout + run.stderr).not.toContain(secret);
  };

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    cwd = await mkdtemp(join(tmpdir(), 'strata-cli-deployed-'));
    services = await buildServices({
      database: { kind: 'pglite', dataDir: 'memory://' },
      cache: { kind: 'memory', maxEntries: 1000 },
      operatorToken: OPERATOR_TOKEN,
    });
    await seedDemoData(services.db);
    const app = createApp(services);
    const authorize = edgeTokenAuthorizer({ accepted: async () => [EDGE_TOKEN] });
    gateway = serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (request) => {
        const presented = request.headers.get(EDGE_TOKEN_HEADER) ?? undefined;
        const entry = { path: new URL(request.url).pathname, edgeToken: presented, forwarded: false };
        seen.push(entry);
        // API Gateway: no identity source header, no authorizer call; a Deny is a 403.
        if (presented === undefined) return Response.json({ message: 'Unauthorized' }, { status: 401 });
        const result = await authorize({
          methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc123/dev/GET/ops',
          headers: { [EDGE_TOKEN_HEADER]: presented },
        });
        if (result.policyDocument.Statement[0]!.Effect !== 'Allow') {
          return Response.json({ Message: 'User is not authorized to access this resource with an explicit deny' }, { status: 403 });
        }
        entry.forwarded = true;
        return app.fetch(request);
      },
    });
    await new Promise<void>((done) => (gateway.listening ? done() : gateway.once('listening', () => done())));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((done) => (gateway ? gateway.close(() => done()) : done()));
    await services?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
    logger.setLogLevel('INFO');
  });

  it('sends STRATA_EDGE_TOKEN on every request to the origin: stats, and each request of a warm', async () => {
    seen.length = 0;
    const stats = await strata(['stats', '--json'], cwd, deployed({ STRATA_EDGE_TOKEN: EDGE_TOKEN }));
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toHaveProperty('types');
    const warm = await strata(
      ['warm', '--tenant', 'acme', '--batch-size', '2', '--rate', '0', '--checkpoint', join(cwd, 'warm.json'), '--json'],
      cwd,
      deployed({ STRATA_EDGE_TOKEN: EDGE_TOKEN }),
    );
    expect(warm.code, warm.stderr).toBe(0);
    // The inventory, then batches of 2 rows: several requests, each with the token and let through.
    expect(seen.filter((r) => r.path === '/ops/warm').length).toBeGreaterThan(1);
    expect(seen.map((r) => r.path)).toContain('/ops/tenants/acme');
    expect(seen.every((r) => r.edgeToken === EDGE_TOKEN && r.forwarded)).toBe(true);
    noSecretIn(stats);
    noSecretIn(warm);
  });

  it('takes --edge-token as well', async () => {
    seen.length = 0;
    const run = await strata(['inspect', 'config:{acme}:limits', '--json', '--edge-token', EDGE_TOKEN], cwd, deployed());
    expect(run.code, run.stderr).toBe(0);
    expect(seen).toEqual([{ path: '/ops/inspect', edgeToken: EDGE_TOKEN, forwarded: true }]);
    noSecretIn(run);
  });

  it('says in one line which token the gateway or the origin refused', async () => {
    const oneLine = (run: Run, pattern: RegExp) => {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
      noSecretIn(run);
    };
    oneLine(
      await strata(['stats'], cwd, deployed()),
      /API gateway in front of the origin at http:\/\/127\.0\.0\.1:\d+ wants the edge token \(STRATA_EDGE_TOKEN or --edge-token\): HTTP 401/,
    );
    oneLine(
      await strata(['stats'], cwd, deployed({ STRATA_EDGE_TOKEN: 'x'.repeat(43) })),
      /API gateway .* refused the edge token: HTTP 403; read it from strata\/<stage>\/edge-origin-token/,
    );
    oneLine(
      await strata(['stats'], cwd, { STRATA_ORIGIN_URL: gatewayUrl, STRATA_OPERATOR_TOKEN: 'y'.repeat(43), STRATA_EDGE_TOKEN: EDGE_TOKEN }),
      /the origin at http:\/\/127\.0\.0\.1:\d+ refused the operator token \(check STRATA_OPERATOR_TOKEN\)/,
    );
  });
});
