#!/usr/bin/env node
// `npx strata …`: the operator CLI (cli/main.ts). Plain JavaScript so that an old Node gets a clear
// line instead of a syntax error: the CLI is TypeScript, run by Node 24's type stripping (the
// repository's `node` devDependency, which `npx` and npm scripts put first on PATH).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 23 || (major === 23 && minor < 6)) {
  process.stderr.write(`strata: needs Node 24 (this is ${process.versions.node}); run it as \`npx strata\` inside the repository\n`);
  process.exit(2);
}
await import('./main.ts');
