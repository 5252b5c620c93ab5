/**
 * `strata` (cli/) as an operator runs it: the real binary (`cli/bin.js`) in a child process,
 * against the real local stack (`startLocalStack`: wrangler dev, the origin, a redis-server,
 * the local Upstash endpoint, PGlite), found through the stack file with no flags, as `npm run
 * dev` leaves it. `stats --watch` runs in a pseudo-terminal (`script` from util-linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userKey } from '../../common/keys.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { logger } from '../../origin/log.ts';
import { freePort } from '../../local/ports.ts';
import { startLocalStack, STACK_FILE, type LocalStack } from '../../local/stack.ts';
import { eventually } from '../harness/eventually.ts';

const ESC = String.fromCharCode(27);
/** `text` without terminal control sequences (colours, cursor moves). */
const plainText = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;?]*[a-zA-Z]`, 'g'), '');

const BIN = resolve(import.meta.dirname, '../../cli/bin.js');
const REPO = resolve(import.meta.dirname, '../..');
const list = '/v1/acme/public/projects';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary in `cwd` with only `env` (and PATH, HOME); resolves when it exits. */
function strata(args: string[], options: { cwd: string; env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void }): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** One line on stderr, nothing on stdout: how every failure must look. */
function oneLineFailure(run: Run, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

describe('strata against the local stack', () => {
  let stack: LocalStack;
  let home: string;
  let secrets: string[];
  const cli = (...args: string[]) => strata(args, { cwd: home });
  const edgeRead = async (path: string) => (await fetch(`${stack.edgeUrl}${path}`)).headers.get('cache-status') ?? '';
  const stored = async (path: string) => {
    await edgeRead(path);
    expect(await edgeRead(path)).toMatch(/strata-edge; hit/);
  };

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    // The stack's data folder is `.data` under the folder the CLI runs in, as in the repository.
    home = await mkdtemp(join(tmpdir(), 'strata-cli-'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EDGE_PORT: String(await freePort()),
      ORIGIN_PORT: '0',
      PGLITE_DIR: 'memory://',
      OUTBOX_INTERVAL_MS: '0',
    };
    stack = await startLocalStack({ env, dataDir: join(home, '.data'), output: 'ignore', edgePersistTo: join(home, 'edge') });
    secrets = [stack.secrets.purgeSecret, stack.secrets.operatorToken, stack.secrets.debugToken, stack.secrets.upstashToken];
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(home, { recursive: true, force: true });
    logger.setLogLevel('INFO');
  });

  it('is the package bin: `npx strata --help` lists the commands', async () => {
    const run = await new Promise<Run>((done) => {
      const child = spawn('npx', ['--no-install', 'strata', '--help'], { cwd: REPO, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.once('exit', (code) => done({ code, stdout, stderr: '' }));
    });
    expect(run.code).toBe(0);
    for (const command of ['warm', 'purge', 'inspect', 'stats']) expect(run.stdout).toContain(command);
  }, 60_000);

  it('writes the operator and debug tokens to the stack file, readable by its owner only', async () => {
    const file = join(home, '.data', 'dev', STACK_FILE);
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(written).toMatchObject({
      originUrl: stack.originUrl,
      edgeUrl: stack.edgeUrl,
      operatorToken: stack.secrets.operatorToken,
      debugToken: stack.secrets.debugToken,
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  describe('the operator API behind it', () => {
    it('refuses requests without the operator token, or with another', async () => {
      for (const headers of [{}, { authorization: `Bearer ${'x'.repeat(43)}` }, { authorization: stack.secrets.operatorToken }]) {
        const response = await fetch(`${stack.originUrl}/ops/stats`, { headers });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    });

    it('is not reachable through the edge', async () => {
      const response = await fetch(`${stack.edgeUrl}/ops/stats`, { headers: { authorization: `Bearer ${stack.secrets.operatorToken}` } });
      expect(response.status).toBe(404);
    });

    it('answers a malformed warm request with 400 and writes nothing', async () => {
      const response = await fetch(`${stack.originUrl}/ops/warm`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.secrets.operatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'acme', type: 'users', limit: 100_000 }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/limit/);
    });
  });

  describe('warm', () => {
    async function tenantWith(users: number, projects: number): Promise<{ tenant: string; userIds: string[] }> {
      const tenant = `warm-${randomUUID().slice(0, 8)}`;
      const db = stack.services.db;
      await db.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenant, tenant]);
      const userIds: string[] = [];
      for (let i = 0; i < users; i++) {
        const id = randomUUID();
        userIds.push(id);
        await db.query('INSERT INTO users (id, tenant_id, email, name, roles) VALUES ($1, $2, $3, $4, $5)', [
          id,
          tenant,
          `u${i}@${tenant}.test`,
          `User ${i}`,
          [],
        ]);
      }
      for (let i = 0; i < projects; i++) {
        await db.query('INSERT INTO projects (id, tenant_id, name, description, visibility) VALUES ($1, $2, $3, $4, $5)', [
          randomUUID(),
          tenant,
          `P${i}`,
          '',
          i % 2 ? 'private' : 'public',
        ]);
      }
      await db.query("INSERT INTO tenant_config (tenant_id, type, document) VALUES ($1, 'limits', $2::jsonb)", [
        tenant,
        JSON.stringify({ api_calls_per_hour: 42 }),
      ]);
      return { tenant, userIds };
    }

    it('loads every row of the tenant into Redis in batches, so the next reads are hits', async () => {
      const { tenant, userIds } = await tenantWith(95, 12);
      const run = await cli('warm', '--tenant', tenant, '--batch-size', '40', '--rate', '0', '--json');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as { complete: boolean; rows: number; keys: number; types: Record<string, { rows: number; batches: number }> };
      expect(summary).toMatchObject({ complete: true, rows: 95 + 12 + 1, keys: 95 + 12 + 1 + 1 });
      // 95 users in pages of 40: 40, 40, 15 (the short page ends it).
      expect(summary.types.users).toMatchObject({ rows: 95, batches: 3 });
      const cached = await stack.services.cache.getMany(userIds.map((id) => userKey(tenant, id)));
      expect(cached.filter((value) => value !== undefined)).toHaveLength(95);
      expect((await stack.services.users.get(tenant, userIds[17]!)).status).toBe('hit');
      expect((await stack.services.tenantConfig.get(tenant, 'limits')).status).toBe('hit');
      expect((await stack.services.projects.list(tenant)).status).toBe('hit');
    });

    it('resumes from its checkpoint after an interruption without redoing a batch', async () => {
      const { tenant } = await tenantWith(60, 0);
      const checkpoint = join(home, '.data', 'dev', `warm-${tenant}.json`);
      const args = ['warm', '--tenant', tenant, '--types', 'users', '--batch-size', '5', '--rate', '10', '--json'];
      let child: ChildProcess | undefined;
      const first = strata(args, { cwd: home, onSpawn: (spawned) => (child = spawned) });
      // Interrupted once two batches are recorded.
      await eventually(
        'two batches in the checkpoint',
        async () => JSON.parse(await readFile(checkpoint, 'utf8').catch(() => '{"progress":{}}')) as { progress: { users?: { batches: number } } },
        (c) => (c.progress.users?.batches ?? 0) >= 2,
      );
      child!.kill('SIGINT');
      const interrupted = await first;
      expect(interrupted.code).toBe(130);
      const partial = JSON.parse(interrupted.stdout) as { complete: boolean; rows: number; checkpoint: string };
      expect(partial.complete).toBe(false);
      expect(partial.rows).toBeGreaterThanOrEqual(10);
      expect(partial.rows).toBeLessThan(60);
      expect(partial.checkpoint).toBe(checkpoint);

      const second = await strata(
        args.map((a) => (a === '10' ? '0' : a)),
        { cwd: home },
      );
      expect(second.code).toBe(0);
      const summary = JSON.parse(second.stdout) as { complete: boolean; resumed: boolean; types: { users: { rows: number; batches: number } } };
      expect(summary.resumed).toBe(true);
      // 12 full pages and the empty one that ends them, over both runs: none sent twice.
      expect(summary.types.users).toMatchObject({ rows: 60, batches: 13 });
      await expect(stat(checkpoint)).rejects.toThrow(/ENOENT/);
    }, 60_000);

    it('draws a progress bar on a terminal, then the summary', async () => {
      const { tenant } = await tenantWith(30, 0);
      const child = spawn(
        'script',
        [
          '-q',
          '-e',
          '-c',
          `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} warm --tenant ${tenant} --types users --batch-size 5 --rate 50`,
          '/dev/null',
        ],
        {
          cwd: home,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text));
      expect(await new Promise((done) => child.once('exit', done))).toBe(0);
      const plain = plainText(screen);
      const updates = [...plain.matchAll(/(\d+)\/30 rows \| users \| \d+ rows\/s/g)].map((m) => Number(m[1]));
      // One redraw per batch at least, counting up to all 30 rows.
      expect(updates.length).toBeGreaterThanOrEqual(6);
      expect(updates.at(-1)).toBe(30);
      expect(plain).toMatch(new RegExp(`warmed ${tenant}: 30 rows, 30 Redis entries`));
    }, 60_000);

    it('refuses an unknown tenant in one line and writes no checkpoint', async () => {
      const run = await cli('warm', '--tenant', 'no-such-tenant');
      oneLineFailure(run, 1, /unknown tenant "no-such-tenant"/);
      await expect(stat(join(home, '.data', 'dev', 'warm-no-such-tenant.json'))).rejects.toThrow(/ENOENT/);
    });

    it('refuses bad options before asking the stack anything', async () => {
      oneLineFailure(await cli('warm', '--tenant', 'Bad Tenant'), 2, /--tenant "Bad Tenant": not a tenant id/);
      oneLineFailure(await cli('warm', '--tenant', 'acme', '--types', 'users,carrots'), 2, /unknown type "carrots"/);
      oneLineFailure(await cli('warm', '--tenant', 'acme', '--batch-size', '0'), 2, /--batch-size/);
      oneLineFailure(await cli('warm'), 2, /--tenant/);
    });
  });

  describe('purge', () => {
    it('signs as the origin does; the edge acknowledges and fetches anew', async () => {
      await stored(list);
      const run = await cli('purge', '--url', list, '--json');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { acknowledged: { status: string; urls: number; versionsBumped: number }; tenantsChecked: boolean };
      expect(result.acknowledged).toMatchObject({ status: 'purged', urls: 1 });
      expect(result.tenantsChecked).toBe(true);
      expect(await edgeRead(list)).toMatch(/strata-edge; fwd=miss; stored/);
    });

    it('purges a tag and says so in one line of text', async () => {
      const run = await cli('purge', '--tag', 'projects', '--tenant', 'acme');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^purged tag projects, tenant acme at http:\/\/127\.0\.0\.1:\d+ \(id cli-[0-9a-f-]+\): versions bumped 2/);
    });

    it('applies nothing when any part is bad: an unknown tenant beside a known one, a malformed URL or tag', async () => {
      await stored(list);
      oneLineFailure(await cli('purge', '--tenant', 'acme', '--tenant', 'nobody-here'), 1, /unknown tenant "nobody-here": nothing was purged/);
      oneLineFailure(await cli('purge', '--tenant', 'acme', '--url', 'http//missing-colon/x'), 2, /--url "http\/\/missing-colon\/x": not a URL/);
      oneLineFailure(await cli('purge', '--tenant', 'acme', '--tag', 'Not A Tag'), 2, /--tag #1: must match/);
      oneLineFailure(await cli('purge', '--everything'), 2, /add --yes/);
      oneLineFailure(await cli('purge'), 2, /purge needs --tag/);
      expect(await edgeRead(list)).toMatch(/strata-edge; hit/);
    });

    it('needs the purge secret, and says when the edge refuses it or cannot be reached', async () => {
      const deployed = { STRATA_EDGE_URL: stack.edgeUrl };
      oneLineFailure(await strata(['purge', '--tag', 'projects'], { cwd: home, env: deployed }), 2, /needs the purge secret.*STRATA_PURGE_SECRET/);
      const refused = await strata(['purge', '--tag', 'projects'], { cwd: home, env: { ...deployed, STRATA_PURGE_SECRET: 'not-the-edge-key' } });
      oneLineFailure(refused, 1, /refused the signature/);
      expect(refused.stderr).not.toContain('not-the-edge-key');
      const port = await freePort();
      oneLineFailure(
        await strata(['purge', '--tag', 'projects'], { cwd: home, env: { STRATA_EDGE_URL: `http://127.0.0.1:${port}`, STRATA_PURGE_SECRET: 'k' } }),
        1,
        /cannot reach the edge at http:\/\/127\.0\.0\.1:\d+\/_strata\/purge: connection refused/,
      );
    });
  });

  describe('inspect', () => {
    it('shows the edge decision and the Redis entry of a URL, without printing a secret', async () => {
      await stored(list);
      await fetch(`${stack.originUrl}${list}`);
      const run = await cli('inspect', list, '--json');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as {
        edge: { holds: string; debug: Record<string, string> };
        redis: { key: string; present: boolean; valid: boolean; scopes: { scope: string; current: boolean }[]; freshness: { state: string } }[];
      };
      expect(report.edge.holds).toBe('stored');
      expect(report.edge.debug).toMatchObject({ decision: 'hit' });
      expect(Number(report.edge.debug.age)).toBeGreaterThanOrEqual(0);
      expect(report.redis[0]).toMatchObject({
        present: true,
        valid: true,
        freshness: { state: 'fresh' },
        scopes: [
          { scope: 'tenant', current: true },
          { scope: 'tag:projects', current: true },
        ],
      });
      const text = await cli('inspect', list);
      expect(text.stdout).toMatch(/edge {4}stored · decision hit · age \d+ s/);
      expect(text.stdout).toMatch(/versions: tenant current, tag:projects current → valid/);
      for (const secret of secrets) expect(text.stdout + run.stdout).not.toContain(secret);
    });

    it('says an entry was invalidated when a version it was written under changed', async () => {
      await fetch(`${stack.originUrl}${list}`);
      await stack.services.engine.invalidateTags('acme', ['projects']);
      const run = await cli('inspect', list, '--json');
      const report = JSON.parse(run.stdout) as { redis: { valid: boolean; scopes: { scope: string; current: boolean }[] }[] };
      expect(report.redis[0]).toMatchObject({
        valid: false,
        scopes: [
          { scope: 'tenant', current: true },
          { scope: 'tag:?', current: false },
        ],
      });
    });

    it('never decodes a profile, and redacts secret fields of what it shows', async () => {
      const [alice] = await stack.services.db.query<{ id: string }>("SELECT id FROM users WHERE email = 'alice@acme.test'");
      await stack.services.users.get('acme', alice!.id);
      const profile = await cli('inspect', userKey('acme', alice!.id));
      expect(profile.code).toBe(0);
      expect(profile.stdout).toMatch(/present · user/);
      expect(profile.stdout).toContain('value: [redacted]');
      expect(profile.stdout).not.toContain('alice@acme.test');

      await stack.services.tenantConfig.put('acme', 'app_settings', { theme: 'dark', webhook: { signing_secret: 'hunter2-do-not-show' } }, alice!.id);
      const config = await cli('inspect', 'config:{acme}:app_settings', '--json');
      const shown = JSON.stringify((JSON.parse(config.stdout) as { redis: { value: unknown }[] }).redis[0]!.value);
      expect(shown).toContain('"theme":"dark"');
      expect(shown).toContain('"signing_secret":"[redacted]"');
      expect(config.stdout).not.toContain('hunter2');
    });

    it('tells an absent entry and a path the edge holds nothing for', async () => {
      const run = await cli('inspect', '/v1/globex/public/projects/1b000000-0000-4000-8000-00000000ffff');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/edge {4}nothing stored/);
      expect(run.stdout).toMatch(/absent \(the next read loads it from PostgreSQL\)/);
    });

    it('refuses what is neither a URL nor a key', async () => {
      oneLineFailure(await cli('inspect', 'just-words'), 2, /give a URL, a path starting with \/ or a Redis key/);
      oneLineFailure(await cli('inspect', 'http://'), 2, /not a URL/);
      oneLineFailure(await cli('inspect', 'carrot:{acme}:1'), 2, /not a Strata cache key/);
    });
  });

  describe('stats', () => {
    it('reports hit ratios per data type against the targets, loads, stale serves and Redis', async () => {
      await fetch(`${stack.originUrl}/v1/globex/public/projects`);
      await fetch(`${stack.originUrl}/v1/globex/public/projects`);
      // This test's own users in Redis (a warm also makes the next stats count keys afresh).
      const warmed = JSON.parse((await cli('warm', '--tenant', 'globex', '--types', 'users', '--rate', '0', '--json')).stdout) as { rows: number };
      expect(warmed.rows).toBeGreaterThanOrEqual(1);
      const run = await cli('stats', '--json');
      expect(run.code).toBe(0);
      const stats = JSON.parse(run.stdout) as {
        types: Record<string, { reads: Record<string, number>; hitRatio: number | null; target: number | null; loads: { ok: number } }>;
        breaker: string;
        redis: { status: string; keys: Record<string, number>; usedMemoryBytes: number };
      };
      expect(Object.fromEntries(Object.entries(stats.types).map(([type, t]) => [type, t.target]))).toEqual({
        session: 0.95,
        config: 0.9,
        user: 0.85,
        api: 0.7,
        resource: null,
      });
      expect(stats.types.api!.reads.hit).toBeGreaterThanOrEqual(1);
      expect(stats.types.api!.loads.ok).toBeGreaterThanOrEqual(1);
      expect(stats.types.api!.hitRatio).toBeGreaterThan(0);
      expect(stats.breaker).toBe('closed');
      expect(stats.redis).toMatchObject({ status: 'ok' });
      expect(stats.redis.keys.user).toBeGreaterThanOrEqual(warmed.rows);
      expect(stats.redis.usedMemoryBytes).toBeGreaterThan(0);
      const text = await cli('stats');
      expect(text.stdout).toMatch(/^api +[█░│]{20} +\d+\.\d% {2,}70\.0%/m);
    });

    it('says the stack is gone, or was never found, in one line', async () => {
      const elsewhere = await mkdtemp(join(tmpdir(), 'strata-cli-none-'));
      try {
        oneLineFailure(await strata(['stats'], { cwd: elsewhere }), 1, /no stack found: start `npm run dev`/);
        await mkdir(join(elsewhere, '.data', 'dev'), { recursive: true });
        // A pid that no process has: the stack file of a stopped run.
        await writeFile(
          join(elsewhere, '.data', 'dev', STACK_FILE),
          JSON.stringify({ pid: 2 ** 22 + 17, originUrl: stack.originUrl, operatorToken: 'x'.repeat(43) }),
        );
        oneLineFailure(await strata(['stats'], { cwd: elsewhere }), 1, /no longer running/);
        const port = await freePort();
        oneLineFailure(
          await strata(['stats'], { cwd: elsewhere, env: { STRATA_ORIGIN_URL: `http://127.0.0.1:${port}`, STRATA_OPERATOR_TOKEN: 'x'.repeat(43) } }),
          1,
          /cannot reach the origin at http:\/\/127\.0\.0\.1:\d+\/ops\/stats: connection refused/,
        );
        oneLineFailure(
          await strata(['stats'], { cwd: elsewhere, env: { STRATA_ORIGIN_URL: stack.originUrl, STRATA_OPERATOR_TOKEN: 'y'.repeat(43) } }),
          1,
          /refused the operator token/,
        );
        oneLineFailure(await strata(['stats'], { cwd: elsewhere, env: { STRATA_ORIGIN_URL: 'ftp://example' } }), 2, /STRATA_ORIGIN_URL: not an http\(s\) URL/);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    });

    it('--watch redraws the table in place in a terminal, shows new reads, and stops on Ctrl-C', async () => {
      const child = spawn(
        'script',
        ['-q', '-e', '-c', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} stats --watch --interval 0.3`, '/dev/null'],
        {
          cwd: home,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text));
      const exited = new Promise<number | null>((done) => child.once('exit', done));
      const plain = plainText;
      const sessionReads = () => {
        const frame = plain(screen).split('Strata caches').at(-1) ?? '';
        const row = /^session .*$/m.exec(frame)?.[0].trim().split(/\s+/);
        // type, bar, now, target, [gap], reads, loads, stale, bypass, keys
        return row && row.length >= 9 ? Number(row[row.length - 5]) : -1;
      };
      try {
        const before = await eventually(
          'a first frame',
          async () => sessionReads(),
          (n) => n >= 0,
        );
        // Sessions are read on every authenticated request.
        const signIn = await fetch(`${stack.originUrl}/v1/acme/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'bob@acme.test', password: DEMO_PASSWORD }),
        });
        const { token } = (await signIn.json()) as { token: string };
        for (let i = 0; i < 3; i++) expect((await fetch(`${stack.originUrl}/v1/acme/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        await eventually(
          'the new session reads on screen',
          async () => sessionReads(),
          (n) => n >= before + 3,
        );
        child.stdin.write('\u0003');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
      // Every frame after the first starts by moving up over the one before it: one table on screen.
      const parts = screen.split(new RegExp(`${ESC}\\[(\\d+)A${ESC}\\[0J`));
      // The frame with the new reads came after the first one: at least one redraw.
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < parts.length; i += 2) {
        const previousFrame = parts[i - 1]!.replace('\u001b[?25l', '');
        expect(Number(parts[i])).toBe(previousFrame.split('\r\n').length - 1);
      }
      expect(screen.startsWith('\u001b[?25l')).toBe(true);
      expect(screen.trimEnd().endsWith('\u001b[?25h')).toBe(true);
    }, 60_000);
  });
});
