/**
 * The HTTP surface (layer 6): a fastify server over a ModelHost with the
 * `/v1` and Open Inference Protocol v2 routes, health, metrics, deployment
 * admin and bearer-token access control.
 */
export {
  ANONYMOUS,
  defaultRoleAllows,
  type Principal,
  type RoleAllows,
  type TokenVerifier,
} from './access.js';
export { type ClusterInfo, type ClusterStatus, clusterStatus } from './cluster-routes.js';
export {
  createServer,
  type FlywheelServer,
  isLoopback,
  type ListenOptions,
  type ServerOptions,
} from './create-server.js';
export {
  DASHBOARD_CSP,
  type DashboardOptions,
  DEFAULT_DASHBOARD_ROOT,
  dashboardRoutes,
} from './dashboard-routes.js';
export type { ChangeRequest, DeploymentControl } from './deployment-control.js';
export type { ServerEventSink } from './events.js';
export { registryDeployments } from './registry-deployments.js';
export {
  type ErrorBody,
  type FieldProblem,
  HttpError,
  SERVER_ERROR_CODES,
} from './server-error.js';
export { handleShutdownSignals } from './shutdown.js';
