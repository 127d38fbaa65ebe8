/**
 * `GET /v1/cluster`: which replica answered and whether it leads the
 * periodic jobs (canary controller, monitoring) of a group of replicas on
 * one store. Needs the `read` right.
 */
import type { FastifyInstance } from 'fastify';
import type { LeaderElection } from '../serve/index.js';

/** This replica, for the cluster route and the `flywheel_leader` gauge. */
export interface ClusterInfo {
  /** Names this process among the replicas (e.g. `host-pid`). */
  readonly replica: string;
  /** The election it campaigns in; absent: it never leads (started without a controller). */
  readonly leadership?: Pick<LeaderElection, 'isLeader' | 'since'>;
}

/** The cluster route's answer. */
export interface ClusterStatus {
  readonly replica: string;
  /** Whether this replica campaigns to run the controller. */
  readonly controller: boolean;
  readonly leader: boolean;
  /** When it last became leader or follower (ISO-8601); null when it does not campaign. */
  readonly since: string | null;
}

/**
 * @example
 * clusterStatus({ replica: 'web-1-4242' }); // { replica: 'web-1-4242', controller: false, leader: false, since: null }
 */
export function clusterStatus(cluster: ClusterInfo): ClusterStatus {
  const { leadership } = cluster;
  return {
    replica: cluster.replica,
    controller: leadership !== undefined,
    leader: leadership?.isLeader() ?? false,
    since: leadership?.since().toISOString() ?? null,
  };
}

export function clusterRoutes(app: FastifyInstance, cluster: ClusterInfo): void {
  app.get('/v1/cluster', { config: { action: 'read' } }, async () => clusterStatus(cluster));
}
