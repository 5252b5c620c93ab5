/**
 * Stampede: 1000 concurrent reads of one missing key with a 50 ms loader. Reports how many
 * times each subject ran the loader and how many Redis commands the whole burst issued.
 */
import type { Redis } from 'ioredis';
import type { Row } from '../rows.ts';
import type { Subject } from './subjects.ts';

const READERS = 1000;
const LOADER_MS = 50;

async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
}

/** Rows `stampede_loads` (calls) and `stampede_commands` (Redis commands) per subject. */
export async function measureStampede(subjects: readonly Subject[], observer: Redis): Promise<Row[]> {
  const rows: Row[] = [];
  for (const subject of subjects) {
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, LOADER_MS));
      return { loaded: true };
    };
    const before = await commandsProcessed(observer);
    const id = `stampede-${crypto.randomUUID()}`;
    await Promise.all(Array.from({ length: READERS }, () => subject.getOrLoad(id, load)));
    // Background work (bus messages, lock releases) settles within a few milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const commands = (await commandsProcessed(observer)) - before - 1; // minus the first INFO
    rows.push({ subject: subject.name, metric: 'stampede_loads', value: loads, unit: 'calls' });
    rows.push({ subject: subject.name, metric: 'stampede_commands', value: commands, unit: 'commands' });
  }
  return rows;
}
