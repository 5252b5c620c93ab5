/**
 * Strata's import rules (docs/architecture.md, "Import rules"), checked by `npm run lint`.
 * Paths are relative to the repository root. A rule names what is forbidden; `comment` is what
 * the violation report says.
 */
const ENGINE_PACKAGES = ['cluster-key-slot', 'cockatiel', 'dataloader', 'ioredis', 'lru-cache'];
const ORIGIN_ENTRIES = ['lambda', 'migrate-lambda', 'outbox-lambda', 'authorizer-lambda', 'edge-token-lambda', 'main'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'edge-not-to-origin',
      comment: 'The Worker is deployed on its own: edge/ never imports origin/ (shared code goes to common/).',
      severity: 'error',
      from: { path: '^edge/' },
      to: { path: '^origin/' },
    },
    {
      name: 'origin-not-to-edge',
      comment: 'The origin never imports the Worker: edge/ runs in workerd, origin/ in Node (shared code goes to common/).',
      severity: 'error',
      from: { path: '^origin/' },
      to: { path: '^edge/' },
    },
    {
      name: 'common-imports-no-app',
      comment: 'common/ is shared by both sides and imports nothing of the repository but itself.',
      severity: 'error',
      from: { path: '^common/' },
      to: { pathNot: '^(common|node_modules)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'engine-not-to-app',
      comment: 'The cache engine (origin/cache/) is a library: nothing of the rest of origin/, nor common/, edge/ or any other folder.',
      severity: 'error',
      from: { path: '^origin/cache/' },
      to: { pathNot: '^(origin/cache|node_modules)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'engine-packages',
      comment: `The cache engine depends on Node and on ${ENGINE_PACKAGES.join(', ')} only; anything else (prom-client, Powertools, …) belongs to an outlet in the app.`,
      severity: 'error',
      from: { path: '^origin/cache/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'],
        pathNot: `^node_modules/(${ENGINE_PACKAGES.join('|')})/`,
      },
    },
    {
      name: 'engine-layers-point-down',
      comment: 'In the engine, store/ and resilience/ know nothing of the read, write and invalidation paths built on them (no callbacks up).',
      severity: 'error',
      from: { path: '^origin/cache/(store|resilience)/' },
      to: { path: '^origin/cache/((read|write|invalidation)/|(engine|context|index)[.]ts$)' },
    },
    {
      name: 'engine-no-cycles',
      comment: 'No circular imports inside the cache engine.',
      severity: 'error',
      from: { path: '^origin/cache/' },
      to: { circular: true },
    },
    {
      name: 'infra-points-at-entry-files',
      comment: `infra/ bundles the origin's entry files (origin/{${ORIGIN_ENTRIES.join(',')}}.ts) and the Worker's (edge/index.ts) and imports nothing else of them.`,
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(origin|edge)/', pathNot: `^(origin/(${ORIGIN_ENTRIES.join('|')})|edge/index)[.]ts$` },
    },
    {
      name: 'not-to-test',
      comment: 'Only tests import from test/.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file or package (tests import workerd virtual modules such as cloudflare:test).',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    // Type-only imports count: an engine that imports a type of the app is tied to the app.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      mainFields: ['types', 'typings', 'module', 'main'],
    },
    // Build output and local state are not source.
    exclude: { path: '^(dist|cdk[.]out|[.]wrangler|[.]data|bench/results)/' },
  },
};
