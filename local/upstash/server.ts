/**
 * A local endpoint that speaks the Upstash Redis REST protocol over a real `redis-server`, so
 * `@upstash/redis` and `@upstash/ratelimit` run unmodified in `npm run dev` and the tests. It
 * follows the protocol as docs/local-stack.md describes it: `/`, `/pipeline` and `/multi-exec`,
 * Bearer or `?_token=` auth, base64 replies on request, RESP2 replies only, scripts with
 * Upstash-only shebang flags.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { encodeReply, ScriptTranslator, type RedisCommand } from './commands.ts';

/** Where the endpoint listens and what it serves. */
export interface UpstashServerOptions {
  /** The Redis it answers from, `redis://host:port`. */
  redisUrl: string;
  /** The REST token clients must present. */
  token: string;
  /** Loopback port; a free one when absent. */
  port?: number;
}

/** A running endpoint: `url` and `token` are what `UPSTASH_REDIS_REST_URL` / `_TOKEN` take. */
export interface UpstashServer {
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
}

/** A request refused before Redis sees it, with the status to answer. */
const refused = (status: number, message: string) => Object.assign(new Error(message), { status });

function authorized(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : (url.searchParams.get('_token') ?? '');
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const body = Buffer.concat(await request.toArray()).toString('utf8');
  try {
    return JSON.parse(body);
  } catch {
    throw refused(400, 'ERR failed to parse command: body is not JSON');
  }
}

function commandList(body: unknown): unknown[] {
  if (!Array.isArray(body) || body.length === 0) throw refused(400, 'ERR body must be a non-empty array of commands');
  return body;
}

function send(response: ServerResponse, status: number, body: unknown, syncToken?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (syncToken) headers['upstash-sync-token'] = syncToken;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

/** Starts the endpoint on 127.0.0.1 over `redisUrl`. */
export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  // RESP2 and `callBuffer` with uppercase names: ioredis neither reshapes replies (HGETALL to an
  // object) nor decodes bytes, so every reply is a RESP2 value Upstash could have sent.
  const redis = new Redis(options.redisUrl, { protocol: 2, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const scripts = new ScriptTranslator();
  // Any value satisfies the client (read-your-writes is trivially true over one Redis).
  let syncToken = 0;

  const call = (command: RedisCommand) => redis.callBuffer(command.name, ...command.args);

  async function one(json: unknown, base64: boolean): Promise<{ result: unknown } | { error: string }> {
    try {
      const command = scripts.translate(json);
      return { result: encodeReply(scripts.reply(command, json, await call(command)), base64) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function multiExec(body: unknown[], base64: boolean): Promise<unknown[]> {
    const commands = body.map((json) => scripts.translate(json));
    const transaction = redis.multi();
    for (const command of commands) transaction.callBuffer(command.name, ...command.args);
    // EXECABORT (a command Redis refused while queueing) rejects here: the whole request fails.
    const replies = (await transaction.exec()) ?? [];
    return replies.map(([error, reply], i) =>
      error ? { error: error.message } : { result: encodeReply(scripts.reply(commands[i]!, body[i], reply), base64) },
    );
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://upstash.local');
    try {
      if (!authorized(request, url, options.token)) throw refused(401, 'Unauthorized');
      if (request.method !== 'POST') throw refused(405, 'ERR only POST is supported');
      const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      const body = await readJson(request);
      const sync = String(++syncToken);
      if (url.pathname === '/') {
        const reply = await one(body, base64);
        send(response, 'error' in reply ? 400 : 200, reply, 'error' in reply ? undefined : sync);
      } else if (url.pathname === '/pipeline') {
        send(response, 200, await Promise.all(commandList(body).map((json) => one(json, base64))), sync);
      } else if (url.pathname === '/multi-exec') {
        send(response, 200, await multiExec(commandList(body), base64), sync);
      } else {
        throw refused(404, `ERR unknown endpoint ${url.pathname}`);
      }
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      if (!response.headersSent) send(response, status, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
