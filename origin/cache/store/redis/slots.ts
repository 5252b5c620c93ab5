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
