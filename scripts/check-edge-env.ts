/**
 * wrangler's custom build step (`[build]` and `[env.<stage>.build]` in wrangler.toml), run before
 * every `wrangler dev` and `wrangler deploy` (`--dry-run` included). It stops a deploy that would
 * go wrong:
 *   - without an argument (the top level, which is for local runs): anything but `wrangler dev`,
 *     so a plain `wrangler deploy` never publishes a Worker, let alone over production;
 *   - with a stage: an environment that still holds a placeholder (`REPLACE_…`, or a host under
 *     the reserved example.com, RFC 2606 §3).
 * Exit code 1 with a message makes wrangler fail loudly before it bundles or uploads anything.
 *   node scripts/check-edge-env.ts [stage]
 */
const PLACEHOLDER = /REPLACE_[A-Z0-9_]*|(?:^|[./])example\.com\b/;

/** `[path, value]` for every string inside `value`, paths like `vars.ORIGIN_URL` or `routes[0].pattern`. */
function strings(value: unknown, path: string): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  return [];
}

/** The placeholders left in environment `stage` of the wrangler config at `configPath`, as `path = "value"` lines. */
async function placeholdersIn(configPath: string, stage: string): Promise<string[]> {
  // wrangler's own reader (environment inheritance included); loaded only here, since it takes
  // seconds and `wrangler dev` runs this step on every start.
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: configPath, env: stage }, { hideWarnings: true });
  const deployed = { name: config.name, routes: config.routes, route: config.route, vars: config.vars };
  return strings(deployed, '')
    .filter(([, value]) => PLACEHOLDER.test(value))
    .map(([path, value]) => `${path} = ${JSON.stringify(value)}`);
}

function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const [stage] = process.argv.slice(2);
const command = process.env.WRANGLER_COMMAND;
if (!stage) {
  if (command !== 'dev') {
    refuse(
      `wrangler ${command ?? 'deploy'} without --env: the top level of wrangler.toml is for local runs (wrangler dev) only.\n` +
        'Deploy a stage: npx wrangler deploy --env dev|staging|production',
    );
  }
} else {
  const left = await placeholdersIn('wrangler.toml', stage);
  if (left.length > 0) {
    refuse(`wrangler.toml [env.${stage}] still has placeholders; replace them before deploying (docs/deploy.md):\n  ${left.join('\n  ')}`);
  }
}
