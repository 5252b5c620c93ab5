/**
 * `bench/results/summary.md` from result rows: a table per area with each goal, the figure
 * measured, whether it met the goal, and its peers; then the machine and each benchmark's run.
 * Pure: it reads nothing and writes nothing, so it is tested on rows made up for the purpose.
 */
import type { Row } from '../rows.ts';
import type { Goal, Line, Ref } from './goals.ts';
import type { MachineFile } from './machine.ts';

/** Rows by results file name (`workload` for `bench/results/workload.json`). */
export type Results = ReadonlyMap<string, readonly Row[]>;

/** The figure `ref` points at, or undefined when its file or row is missing. */
export function lookup(results: Results, ref: Ref): number | undefined {
  const value = results.get(ref.file)?.find((row) => row.subject === ref.subject && row.metric === ref.metric)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Whether `value` meets `goal`. */
export function meets(goal: Goal, value: number): boolean {
  if (goal.op === '≥') return value >= goal.value;
  if (goal.op === '≤') return value <= goal.value;
  return value === goal.value;
}

const cell = (text: string) => text.replaceAll('|', '\\|');
const BARE_UNITS = new Set(['ratio', 'count', 'per request']);
const figure = (value: number | undefined, unit: string) => (value === undefined ? 'not run' : BARE_UNITS.has(unit) ? String(value) : `${value} ${unit}`);

/** The markdown summary. */
export function renderSummary(results: Results, lines: readonly Line[], machine: MachineFile | undefined, generatedAt: string): string {
  const out: string[] = [];
  let met = 0;
  let missed = 0;
  for (const area of [...new Set(lines.map((line) => line.area))]) {
    out.push(`## ${area}`, '', '| what | goal | strata | met | peers |', '|---|---|---|---|---|');
    for (const line of lines.filter((l) => l.area === area)) {
      const value = lookup(results, line.figure);
      const verdict = line.goal && value !== undefined ? (meets(line.goal, value) ? 'yes' : '**no**') : '';
      if (verdict === 'yes') met++;
      if (verdict === '**no**') missed++;
      const goal = line.goal ? `${line.goal.op} ${line.goal.value}` : '—';
      const others = (line.peers ?? []).map((peer) => `${peer.label}: ${figure(lookup(results, peer.ref), peer.unit ?? line.unit)}`).join('; ');
      out.push(`| ${cell(line.what)} | ${goal} | ${figure(value, line.unit)} | ${verdict} | ${cell(others || '—')} |`);
    }
    out.push('');
  }
  out.unshift(
    '# Benchmark summary',
    '',
    `Generated ${generatedAt} from \`bench/results/*.json\`; "not run" means a figure's file or row is missing.`,
    'Ratios are paired within one run (DEVELOPERS.md, "Benchmarks"): compare ratios, not absolute rates across runs or machines.',
    '',
    `Goals met: ${met} of ${met + missed} measured.`,
    '',
  );
  out.push('## Machine', '');
  if (!machine) {
    out.push('No `bench/results/machine.json`: these results were not produced by `npm run bench` as a whole, so the machine and its load are not recorded.');
  } else {
    const m = machine.machine;
    out.push(
      `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. Shared with other work: the load average beside each run is the machine's, not the benchmark's alone.`,
      '',
    );
    out.push('| benchmark | started (UTC) | took | load before → after | result |', '|---|---|---|---|---|');
    for (const run of machine.runs)
      out.push(
        `| ${[run.name, ...(run.args ?? [])].join(' ')} | ${run.startedAt} | ${Math.round(run.seconds)} s | ${run.loadBefore} → ${run.loadAfter} | ${run.ok ? 'ok' : '**failed**'}${run.note ? ` (${run.note})` : ''} |`,
      );
    const earlier = [...results.keys()].filter((name) => !machine.runs.some((run) => run.name === name && run.ok));
    if (earlier.length > 0)
      out.push('', `Not from this run (left by earlier runs, machine and load not recorded here): ${earlier.map((name) => `\`${name}.json\``).join(', ')}.`);
  }
  out.push('');
  return out.join('\n');
}
