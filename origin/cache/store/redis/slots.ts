/**
 * Grouping keys for Redis Cluster: multi-key commands only work within one hash slot, and a
 * pipeline only within one node. Keys are grouped by slot, slots by the master that serves
 * them, so a batch costs one round trip per node.
 */
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';

/** Positions (into the caller's key list) of the keys of one slot. */
export interface SlotGroup {
  slot: number;
  indexes: number[];
}

/**
 * A reply that says the slot is elsewhere or moving: MOVED (it moved: the client's slot map is
 * old), ASK and TRYAGAIN (it is being migrated, some of its keys already on the new node), or
 * ioredis refusing a pipeline the store grouped by a slot map it has refreshed since. ioredis
 * follows these for a command of one key, not inside a pipeline nor for a multi-key command
 * whose keys are split by the migration, so the store resends such keys one command each.
 */
export function isRedirection(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return (
    /^(MOVED|ASK|TRYAGAIN) /.test(message) ||
    /^Too many Cluster redirections\. Last error: ReplyError: (MOVED|ASK|TRYAGAIN) /.test(message) ||
    // ioredis's own check, when its slot map changed since the store grouped the keys.
    message === 'All keys in the pipeline should belong to the same slots allocation group'
  );
}

/** Groups `keys` by hash slot, keeping each key's position. */
export function groupBySlot(keys: readonly string[]): SlotGroup[] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = calculateSlot(key);
    const indexes = groups.get(slot);
    if (indexes) indexes.push(index);
    else groups.set(slot, [index]);
  });
  return [...groups].map(([slot, indexes]) => ({ slot, indexes }));
}

/** Groups slot groups by the master node that serves each slot (by the client's slot map). */
export function groupByNode(cluster: Cluster, groups: readonly SlotGroup[]): SlotGroup[][] {
  const byNode = new Map<string, SlotGroup[]>();
  for (const group of groups) {
    const node = cluster.slots[group.slot]?.[0] ?? 'unknown';
    const list = byNode.get(node);
    if (list) list.push(group);
    else byNode.set(node, [group]);
  }
  return [...byNode.values()];
}
