/**
 * In-memory stand-ins for the server's tests: a ModelHost, deployment control
 * and a token verifier. Not part of the public surface.
 */
export { FakeDeployments, type FakeMove } from './fake-deployments.js';
export {
  type FakeHostOptions,
  type FakeInput,
  type FakeModel,
  FakeModelHost,
  type LoggedPrediction,
} from './fake-host.js';
export { FakeTokens } from './fake-tokens.js';
