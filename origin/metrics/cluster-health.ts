/**
 * The health of the Redis behind the cache, for readiness checks and operators: a cluster's state
 * and slot coverage from CLUSTER INFO, node roles and failures from CLUSTER NODES; a standalone
 * server's replication role from INFO. Command errors propagate: an unreachable Redis is the
 * caller's signal, not a health value.
 */
import { Cluster, type Redis } from 'ioredis';

/** A Redis Cluster as one node sees it. */
export interface ClusterHealth {
  readonly mode: 'cluster';
  /** `cluster_state`: `fail` when some slot is unserved (or this node is in a minority partition). */
  readonly state: 'ok' | 'fail';
  readonly slotsAssigned: number;
  /** Slots whose master is not flagged `fail` or `fail?`. */
  readonly slotsOk: number;
  readonly knownNodes: number;
  /** Masters not flagged as failing. */
  readonly masters: number;
  /** Replicas not flagged as failing. */
  readonly replicas: number;
  /** `host:port` (or the node id when the address is unknown) of nodes flagged `fail` or `fail?`. */
  readonly failingNodes: string[];
}

/** A standalone server: reachable, with its replication role. */
export interface StandaloneHealth {
  readonly mode: 'standalone';
  readonly state: 'ok';
  /** `master` or `slave`, as INFO reports it. */
  readonly role: string;
  readonly connectedReplicas: number;
}

/** What `clusterHealth` reports, by client kind. */
export type RedisHealth = ClusterHealth | StandaloneHealth;

/** One line of CLUSTER NODES. */
export interface ClusterNode {
  readonly id: string;
  /** `host:port`, without the cluster bus port and hostname; empty for a `noaddr` node. */
  readonly address: string;
  readonly flags: readonly string[];
  /** The master's id for a replica; undefined for a master. */
  readonly masterId: string | undefined;
  readonly linkState: string;
}

/** `key:value` lines of INFO or CLUSTER INFO; `#` section headers and blank lines are skipped. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (line.startsWith('#') || colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The lines of CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slots>...`. */
export function parseClusterNodes(text: string): ClusterNode[] {
  const nodes: ClusterNode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [id, endpoint, flags, master, , , , linkState] = line.trim().split(' ');
    if (!id || endpoint === undefined || flags === undefined || linkState === undefined) continue;
    const address = endpoint.split(',')[0]?.split('@')[0] ?? '';
    nodes.push({
      id,
      // A node without an address is printed as `:0` (or `:port`); that names nothing.
      address: address.startsWith(':') ? '' : address,
      flags: flags.split(','),
      masterId: master === '-' ? undefined : master,
      linkState,
    });
  }
  return nodes;
}

/** Whether a node is flagged failing: `fail` (agreed by a majority) or `fail?` (suspected). */
export function isFailing(node: ClusterNode): boolean {
  return node.flags.includes('fail') || node.flags.includes('fail?');
}

/** Combines CLUSTER INFO and CLUSTER NODES replies into a `ClusterHealth`. */
export function clusterHealthFrom(infoText: string, nodesText: string): ClusterHealth {
  const info = parseInfo(infoText);
  const number = (key: string) => Number.parseInt(info.get(key) ?? '', 10) || 0;
  const nodes = parseClusterNodes(nodesText);
  const healthy = nodes.filter((node) => !isFailing(node));
  return {
    mode: 'cluster',
    state: info.get('cluster_state') === 'ok' ? 'ok' : 'fail',
    slotsAssigned: number('cluster_slots_assigned'),
    slotsOk: number('cluster_slots_ok'),
    knownNodes: number('cluster_known_nodes'),
    masters: healthy.filter((node) => node.flags.includes('master')).length,
    replicas: healthy.filter((node) => node.flags.includes('slave')).length,
    failingNodes: nodes.filter(isFailing).map((node) => node.address || node.id),
  };
}

/** Combines an INFO replication reply into a `StandaloneHealth`. */
export function standaloneHealthFrom(replicationText: string): StandaloneHealth {
  const info = parseInfo(replicationText);
  return {
    mode: 'standalone',
    state: 'ok',
    role: info.get('role') ?? 'unknown',
    connectedReplicas: Number.parseInt(info.get('connected_slaves') ?? '', 10) || 0,
  };
}

/** Asks `client` (a Cluster, or a standalone Redis) how its Redis is doing. */
export async function clusterHealth(client: Cluster | Redis): Promise<RedisHealth> {
  if (!(client instanceof Cluster)) return standaloneHealthFrom(await client.info('replication'));
  // Both replies must come from one node to describe one view of the cluster. A dead node is
  // exactly what this should report, so one that does not answer is skipped, not fatal.
  let lastError: unknown = new Error('clusterHealth: the cluster client knows no nodes yet');
  for (const node of client.nodes('all')) {
    try {
      const [info, nodes] = await Promise.all([node.cluster('INFO'), node.cluster('NODES')]);
      return clusterHealthFrom(info, String(nodes));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
