/**
 * Scripted answers for the edge's standards tests, which need an origin that sends unusual (and
 * illegal) headers verbatim. A test registers what a path under `/v1/{tenant}/scripted/` answers
 * with `POST /_fake/script` `{ path, responses: [{ status, headers, body }] }`: the n-th request
 * (any query) gets the n-th response, the last one repeats. Each answer also carries
 * `x-origin-answer: n`, so a test can tell which one it was served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScriptedResponse } from './scripted-response.ts';

const SCRIPTED_PATH = /^\/v1\/[^/]+\/scripted\//;
const scripts = new Map<string, { responses: ScriptedResponse[]; served: number }>();

/** Handles `/_fake/script` and scripted paths; true when it answered. */
export async function scriptedRoute(request: IncomingMessage, response: ServerResponse, url: URL, readBody: () => Promise<string>): Promise<boolean> {
  if (url.pathname === '/_fake/script' && request.method === 'POST') {
    const { path, responses } = JSON.parse(await readBody()) as { path: string; responses: ScriptedResponse[] };
    scripts.set(path, { responses, served: 0 });
    response.writeHead(204).end();
    return true;
  }
  if (!SCRIPTED_PATH.test(url.pathname)) return false;
  const script = scripts.get(url.pathname);
  if (!script) {
    response
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"fake origin: not scripted","requestId":"fake"}}');
    return true;
  }
  const answer = script.responses[Math.min(script.served, script.responses.length - 1)]!;
  script.served++;
  if (answer.hang) {
    await new Promise((resolve) => request.socket.once('close', resolve));
    return true;
  }
  const status = answer.status ?? 200;
  // Raw header lines, so a test can send what no well-behaved origin would (several Expires …).
  const lines: string[] = [];
  for (const [name, value] of Object.entries(answer.headers ?? {})) for (const one of [value].flat()) lines.push(name, one);
  lines.push('x-origin-answer', String(script.served));
  if (answer.cut) {
    const body = Buffer.from(answer.body ?? 'a cut-off answer');
    response.writeHead(status, [...lines, 'content-length', String(body.length)]);
    response.write(body.subarray(0, body.length >> 1), () => response.destroy());
    return true;
  }
  response.writeHead(status, lines);
  response.end(request.method === 'HEAD' || status === 204 || status === 304 ? undefined : (answer.body ?? `answer ${script.served}`));
  return true;
}
