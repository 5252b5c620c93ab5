/**
 * `strata`: the operator CLI (composition root). Parses the command line with commander, finds
 * the stack (`target.ts`), runs one command (`commands/`), and turns every failure into one line
 * on stderr and an exit code: 2 for bad input (nothing was sent), 1 for a stack that failed or
 * refused, 130 for an interrupted warm (resumable).
 */
import { Command, CommanderError, Option } from 'commander';
import type { CommandContext } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { processIo, type Io } from './io.ts';
import { DEFAULT_STACK_FILE, resolveTarget, ENV, type TargetOptions } from './target.ts';
import { inspect } from './commands/inspect.ts';
import { purge, type PurgeOptions } from './commands/purge.ts';
import { stats, type StatsOptions } from './commands/stats.ts';
import { warm, type WarmOptions } from './commands/warm.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Builds the program; `run` stores each command's exit code in `exit`. */
function program(io: Io, env: Record<string, string | undefined>, cwd: string, exit: { code: number }): Command {
  const root = new Command('strata')
    .description(
      "Operate Strata's caches: warm, purge, inspect and watch them.\nFinds the local stack (`npm run dev`) by itself; for a deployed one give its URLs and secrets as flags or environment variables.",
    )
    .addOption(new Option('--json', 'print JSON (one document; one per refresh with --watch)'))
    // Variables are read by `resolveTarget` (so that errors can name where a value came from).
    .addOption(new Option('--edge-url <url>', `the edge (Worker) base URL (env: ${ENV.edgeUrl})`))
    .addOption(new Option('--origin-url <url>', `the origin API base URL, for its operator API (env: ${ENV.originUrl})`))
    .addOption(new Option('--purge-secret <secret>', "HMAC key of purges (the edge's PURGE_SECRET); prefer the variable").hideHelp())
    .addOption(new Option('--operator-token <token>', "the origin's OPERATOR_TOKEN; prefer the variable").hideHelp())
    .addOption(new Option('--debug-token <token>', "the edge's DEBUG_TOKEN; prefer the variable").hideHelp())
    .addOption(new Option('--edge-token <token>', "a deployed origin's API Gateway token (x-strata-edge-token); prefer the variable").hideHelp())
    .addOption(new Option('--stack-file <path>', `the local stack file (env: ${ENV.stackFile}; default ${DEFAULT_STACK_FILE})`))
    .addHelpText(
      'after',
      `\nSecrets (never printed): ${ENV.purgeSecret}, ${ENV.operatorToken}, ${ENV.debugToken}, ${ENV.edgeToken} (or --purge-secret, --operator-token, --debug-token, --edge-token).\nA deployed stage: docs/operating.md, "A deployed stage".\nExit codes: 0 done, 1 the stack failed or refused, 2 bad input (nothing sent), 130 warm interrupted (run it again to resume).`,
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text.trimEnd()),
      outputError: (text, write) => write(`strata: ${text.replace(/^error: /, '').trim()}`),
    });

  const context = (command: Command): CommandContext => {
    const options = command.optsWithGlobals<TargetOptions & { json?: boolean }>();
    return {
      io,
      json: Boolean(options.json),
      cwd,
      target: () => resolveTarget(options, env, cwd),
      now: () => Date.now(),
      onInterrupt(handler) {
        process.on('SIGINT', handler);
        process.on('SIGTERM', handler);
        return () => {
          process.off('SIGINT', handler);
          process.off('SIGTERM', handler);
        };
      },
    };
  };

  root
    .command('warm')
    .description("load a tenant's users, projects and configuration from PostgreSQL into Redis")
    .requiredOption('--tenant <tenant>', 'the tenant to warm')
    .option('--types <list>', 'comma-separated: users, projects, config', 'users,projects,config')
    .option('--batch-size <n>', 'rows per batch (1–500)', '100')
    .option('--rate <n>', 'rows per second at most (0: no limit)', '500')
    .option('--checkpoint <file>', 'where progress is kept for resuming (default: beside the stack file, or ./.strata-warm-<tenant>.json)')
    .option('--restart', 'ignore an existing checkpoint and start over')
    .action(async (options: WarmOptions, command: Command) => {
      exit.code = await warm(context(command), options);
    });

  root
    .command('purge')
    .description('sign and send a purge to the edge, exactly as the origin does, and show what it acknowledged')
    .option('--tag <tag>', 'a cache tag (repeatable)', collect)
    .option('--tenant <tenant>', 'every response of a tenant (repeatable)', collect)
    .option('--url <url>', 'one URL, or a path of the edge (repeatable)', collect)
    .option('--prefix <prefix>', 'every URL under /v1/<tenant>/… (repeatable)', collect)
    .option('--everything', 'every response the edge holds (needs --yes)')
    .option('--yes', 'confirm --everything')
    .action(async (options: PurgeOptions, command: Command) => {
      await purge(context(command), options);
    });

  root
    .command('inspect')
    .description('what the edge and Redis hold for a URL, a path or a Redis key (secrets redacted)')
    .argument('<key-or-url>', 'https://edge/v1/acme/public/projects, /v1/acme/public/projects, or a key such as config:{acme}:limits')
    .action(async (subject: string, _options: unknown, command: Command) => {
      await inspect(context(command), subject);
    });

  root
    .command('stats')
    .description('hit ratio per data type against its target, loads, stale serves, breaker, Redis memory and keys')
    .option('--watch', 'refresh in place until Ctrl-C')
    .option('--interval <seconds>', 'seconds between refreshes with --watch', '2')
    .action(async (options: StatsOptions, command: Command) => {
      exit.code = await stats(context(command), options);
    });
  return root;
}

/** Runs the CLI over `argv` (without `node` and the script); resolves with the exit code. */
export async function run(argv: readonly string[], io: Io, env: Record<string, string | undefined>, cwd: string): Promise<number> {
  const exit = { code: EXIT.ok as number };
  const root = program(io, env, cwd, exit);
  try {
    if (argv.length === 0) {
      root.outputHelp({ error: true });
      return EXIT.usage;
    }
    await root.parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`strata: ${error.message}`);
      return error.exitCode;
    }
    io.err(`strata: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

process.exitCode = await run(process.argv.slice(2), processIo(), process.env, process.cwd());
