/**
 * `flywheel serve`: the online model server over the project's registry.
 * Prints `listening on http://HOST:PORT` once it accepts requests; SIGTERM or
 * SIGINT drains in-flight requests and flushes the prediction log before it
 * exits, a second signal exits at once. With `--controller`, replicas on one
 * store elect a leader (a session lock in the store) and only the leader runs
 * the canary controller and the monitoring loop (docs/scaling.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { FlywheelError } from '../../errors.js';
import { NO_ONLINE_FEATURES, OnlineFeatures } from '../../features/index.js';
import { labelCostSource } from '../../feedback/index.js';
import { monitorModel } from '../../monitor/index.js';
import {
  actorName,
  NatsEventPublisher,
  openOnlineStore,
  openProjectStore,
  projectOnlineDefinitions,
  publishDeployments,
} from '../../pipeline/index.js';
import { CHAMPION, ModelRegistry, TokenStore } from '../../registry/index.js';
import {
  type LeaderElection,
  LeaderElector,
  PredictionLogger,
  RegistryModelHost,
  ServingMinutes,
  storeWindow,
} from '../../serve/index.js';
import {
  createServer,
  handleShutdownSignals,
  isLoopback,
  registryDeployments,
} from '../../server/index.js';
import { type LoadedSpec, loadSpec, SPEC_FILE_NAME } from '../../spec/index.js';
import { openSessionLock, type Stores, watchRegistry } from '../../store/index.js';
import type { Io } from '../output.js';

export interface ServeCommandOptions {
  /** Opens the project's store (default: the spec's store, or `--store`). */
  openStore?: (loaded: LoadedSpec | undefined, store: string | undefined) => Promise<Stores>;
}

interface ServeOptions {
  port: number;
  host: string;
  auth: 'on' | 'off';
  logMode: 'sync' | 'async';
  maxRows: number;
  bodyLimit: number;
  requestTimeout: number;
  inferenceTimeout: number;
  controller?: boolean;
  electionInterval: number;
  canaryInterval?: number;
  canaryChecks?: number;
  canaryFailedChecks?: number;
  canaryMinRequests?: number;
  /** From the spec's deploy.canary. */
  canaryCostMargin?: number;
  canaryMaxScorePsi?: number;
  metricsPublic?: boolean;
  store?: string;
  onlineStore?: string;
  monitorInterval: number;
  asOf?: Date;
  eventsNats?: string;
  eventsStream: string;
  eventsPrefix: string;
  json?: boolean;
}

/** The lock the replicas of one store compete for. */
const CONTROLLER_LOCK = 'flywheel:controller';

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`must be an integer from ${min} to ${max}, got ${value}`);
  }
  return n;
};

const SIZE = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

/** A byte size: `1048576`, `512kb`, `1mb`. */
export function parseSize(value: string): number {
  const m = SIZE.exec(value.trim());
  const bytes = m ? Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]! : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 64 * 1024 ** 2) {
    throw new InvalidArgumentError(`must be a size from 1kb to 64mb (e.g. 1mb), got ${value}`);
  }
  return bytes;
}

function packageVersion(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/**
 * Builds the `serve` command.
 *
 * @example
 * program.addCommand(serveCommand(io));
 */
export function serveCommand(io: Io, options: ServeCommandOptions = {}): Command {
  const open = options.openStore ?? openProjectStore;
  return new Command('serve')
    .description(
      'serve the registered models over HTTP (/v1 predict, Open Inference Protocol v2, /metrics), with bearer tokens',
    )
    .argument(
      '[path]',
      'spec file or project folder: where the store is (default: . if it holds a spec)',
    )
    .option('--port <n>', 'port to listen on (0: any free port)', integer(0, 65_535), 8080)
    .option(
      '--host <address>',
      'address to bind; anything but loopback needs --auth on',
      '127.0.0.1',
    )
    .addOption(
      new Option('--auth <mode>', 'bearer tokens (`flywheel tokens create`)')
        .choices(['on', 'off'])
        .default('on'),
    )
    .addOption(
      new Option(
        '--log-mode <mode>',
        'sync: answer after the prediction is logged; async: log behind the answer',
      )
        .choices(['sync', 'async'])
        .default('sync'),
    )
    .option('--max-rows <n>', 'most rows per request', integer(1, 1_000_000), 1000)
    .option('--body-limit <size>', 'largest request body (e.g. 1mb)', parseSize, 1024 * 1024)
    .option(
      '--request-timeout <ms>',
      'time to receive a whole request',
      integer(100, 600_000),
      10_000,
    )
    .option(
      '--inference-timeout <ms>',
      'time to score and log one request',
      integer(10, 600_000),
      2000,
    )
    .option(
      '--controller',
      'run the canary controller and monitoring loop; among replicas on one store, only the elected leader does',
    )
    .option(
      '--election-interval <ms>',
      'with --controller: how often a follower tries to take the leader lock and the leader checks it holds it',
      integer(100, 60_000),
      1000,
    )
    .option(
      '--canary-interval <s>',
      'seconds between canary checks (default: deploy.canary.interval_s, else 60)',
      integer(1, 86_400),
    )
    .option(
      '--canary-checks <n>',
      'passing checks in a row that promote the canary (default 5)',
      integer(1, 1000),
    )
    .option(
      '--canary-failed-checks <n>',
      'failing checks that roll it back (default: deploy.canary.failed_checks, else 3)',
      integer(1, 1000),
    )
    .option(
      '--canary-min-requests <n>',
      'fewer canary requests in a window than this is a hold (default 100)',
      integer(1, 10_000_000),
    )
    .option(
      '--monitor-interval <s>',
      'with --controller: seconds between monitoring evaluations (alerts, webhooks); 0: off',
      integer(0, 86_400),
      60,
    )
    .option('--metrics-public', 'serve /metrics without a token')
    .option(
      '--online-store <location>',
      'where online features live: embedded (default: the store) or redis://host:port/db (or FLYWHEEL_ONLINE_STORE)',
    )
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option(
      '--events-nats <servers>',
      'publish prediction, feedback and deployment events to NATS JetStream (docs/scaling.md has the schema)',
    )
    .option(
      '--events-stream <name>',
      'the stream capturing the events (created when missing)',
      'FLYWHEEL_OUT',
    )
    .option('--events-prefix <token>', "the events' subjects start with it", 'flywheel')
    .option(
      '--as-of <time>',
      "the API's and dashboard's monitoring windows end here instead of now (ISO-8601; to browse a replay such as the demo's)",
      (value: string) => {
        const t = Date.parse(value);
        if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(t)) {
          throw new InvalidArgumentError(`must be an ISO-8601 time, got ${value}`);
        }
        return new Date(t);
      },
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string | undefined, opts: ServeOptions) => {
      if (opts.auth === 'off' && !isLoopback(opts.host)) {
        throw new FlywheelError('USAGE', `refusing to listen on ${opts.host} with --auth off`, {
          hint: 'anyone on the network could predict and deploy: bind 127.0.0.1 or use --auth on',
        });
      }
      const loaded =
        target !== undefined || existsSync(SPEC_FILE_NAME) ? loadSpec(target ?? '.') : undefined;
      const stores = await open(loaded, opts.store);
      const canary = loaded?.spec.deploy?.canary;
      try {
        await serve(io, stores, loaded, {
          ...opts,
          ...(opts.canaryInterval === undefined && canary?.interval_s !== undefined
            ? { canaryInterval: canary.interval_s }
            : {}),
          ...(opts.canaryFailedChecks === undefined && canary?.failed_checks !== undefined
            ? { canaryFailedChecks: canary.failed_checks }
            : {}),
          ...(canary?.cost_margin === undefined ? {} : { canaryCostMargin: canary.cost_margin }),
          ...(canary?.max_score_psi === undefined
            ? {}
            : { canaryMaxScorePsi: canary.max_score_psi }),
        });
      } finally {
        await stores.close();
      }
    });
}

async function serve(
  io: Io,
  stores: Stores,
  loaded: LoadedSpec | undefined,
  opts: ServeOptions,
): Promise<void> {
  // Online features: the spec's event tables (if any), plus those of every served bundle.
  const onlineStore = await openOnlineStore(stores, opts.onlineStore);
  try {
    const features = new OnlineFeatures(
      onlineStore,
      loaded === undefined ? NO_ONLINE_FEATURES : projectOnlineDefinitions(loaded),
    );
    await serveWith(io, stores, features, opts);
  } finally {
    await onlineStore.close();
  }
}

async function serveWith(
  io: Io,
  stores: Stores,
  features: OnlineFeatures,
  opts: ServeOptions,
): Promise<void> {
  const warn = (context: string) => (err: unknown) =>
    io.err(`warning: ${context}: ${err instanceof Error ? err.message : String(err)}`);
  const replica = `${hostname()}-${process.pid}`;
  const election = opts.controller ? await elect(io, stores, replica, opts) : undefined;
  try {
    await serveReplica(io, stores, features, opts, { replica, election, warn });
  } finally {
    await election?.stop();
  }
}

/**
 * Joins the election for the controller's lock in the store. A store opened
 * some other way (no location to lock in) runs the controller here, as one
 * replica always did.
 */
async function elect(
  io: Io,
  stores: Stores,
  replica: string,
  opts: ServeOptions,
): Promise<LeaderElection> {
  if (stores.location === undefined) return alwaysLeader();
  const intervalMs = opts.electionInterval;
  // A leader that cannot reach the lock steps down after one interval plus
  // one timeout; the server frees a silent session only after the (longer)
  // idle timeout, so two leaders never overlap.
  const timeoutMs = 2000;
  const lock = openSessionLock(stores.location, CONTROLLER_LOCK, {
    timeoutMs,
    idleTimeoutMs: Math.max(10_000, 3 * (intervalMs + timeoutMs)),
  });
  let lastWarning = { text: '', at: 0 };
  const election = await LeaderElector.start(lock, {
    intervalMs,
    timeoutMs,
    // A follower retries every interval: the same failure is repeated once a minute.
    onError: (err) => {
      const text = `warning: leader election (${lock.description}): ${err instanceof Error ? err.message : String(err)}`;
      const now = Date.now();
      if (text === lastWarning.text && now - lastWarning.at < 60_000) return;
      lastWarning = { text, at: now };
      io.err(text);
    },
  });
  const log = (leader: boolean, reason: string) =>
    io.err(
      leader
        ? `leader: replica ${replica} runs the canary controller and monitoring (${reason})`
        : `follower: replica ${replica} does not run the canary controller and monitoring (${reason})`,
    );
  log(
    election.isLeader(),
    election.isLeader() ? 'took the lock' : 'the lock is held elsewhere or out of reach',
  );
  election.onChange(({ leader, reason }) => log(leader, reason));
  return election;
}

/** The election of a replica that is alone by construction. */
function alwaysLeader(): LeaderElection {
  const since = new Date();
  return {
    description: 'no election (this process only)',
    isLeader: () => true,
    since: () => since,
    onChange: () => () => {},
    stop: async () => {},
  };
}

async function serveReplica(
  io: Io,
  stores: Stores,
  features: OnlineFeatures,
  opts: ServeOptions,
  cluster: {
    replica: string;
    election: LeaderElection | undefined;
    warn: (context: string) => (err: unknown) => void;
  },
): Promise<void> {
  const { replica, election, warn } = cluster;
  const registry = new ModelRegistry(stores);
  const servingMinutes = new ServingMinutes((rows) => stores.metadata.addServingMinutes(rows), {
    onError: warn('recording serving counts failed'),
  });
  const events =
    opts.eventsNats === undefined
      ? undefined
      : await NatsEventPublisher.open({
          servers: opts.eventsNats,
          stream: opts.eventsStream,
          prefix: opts.eventsPrefix,
          onError: warn('publishing an event failed'),
        });
  const logger = new PredictionLogger(stores.metadata, {
    mode: opts.logMode,
    onError: warn('prediction log commit failed'),
    ...(events === undefined ? {} : { onCommitted: (rows) => events.predictions(rows) }),
  });
  const host = await RegistryModelHost.open(registry, {
    logger,
    // Served: every model with a champion (a registered but undeployed one
    // would otherwise hold readiness down).
    models: async () =>
      (await registry.listModels())
        .filter((m) => m.aliases[CHAMPION] !== undefined)
        .map((m) => m.name),
    inferenceTimeoutMs: opts.inferenceTimeout,
    controller: opts.controller
      ? {
          policy: {
            ...(opts.canaryInterval === undefined
              ? {}
              : { intervalMs: opts.canaryInterval * 1000 }),
            ...(opts.canaryChecks === undefined ? {} : { successfulChecks: opts.canaryChecks }),
            ...(opts.canaryFailedChecks === undefined
              ? {}
              : { failedChecks: opts.canaryFailedChecks }),
            ...(opts.canaryMinRequests === undefined
              ? {}
              : { minRequests: opts.canaryMinRequests }),
            ...(opts.canaryCostMargin === undefined ? {} : { costMargin: opts.canaryCostMargin }),
            ...(opts.canaryMaxScorePsi === undefined
              ? {}
              : { maxScorePsi: opts.canaryMaxScorePsi }),
          },
          // Realised cost of each side from the labels that have arrived (step 8).
          cost: labelCostSource(stores),
          // On PostgreSQL (replicas), windows hold every replica's traffic, not this one's.
          ...(stores.location?.kind === 'postgres'
            ? {
                readWindow: (version: string, since: Date, until: Date) =>
                  storeWindow(stores.metadata, version, since, until),
              }
            : {}),
          actor: actorName(),
          onCheck: (check, action) =>
            io.err(`canary ${check.canary}: ${check.verdict} (${check.reason}) → ${action}`),
        }
      : false,
    ...(election === undefined ? {} : { leadership: election }),
    onError: (err, context) => warn(context)(err),
    features,
    servingMinutes,
  });
  // On PostgreSQL, an alias move anywhere wakes this replica at once (the poll stays as a fallback).
  const watch =
    stores.location === undefined
      ? undefined
      : watchRegistry(
          stores.location,
          () => {
            host.refresh().catch(warn('refreshing the deployments'));
          },
          { onError: warn('listening for registry changes') },
        );
  const server = createServer({
    host,
    features,
    stores,
    auth: opts.auth === 'off' ? 'off' : new TokenStore(stores),
    registry: registryDeployments(registry),
    probe: () => stores.metadata.appliedMigrations(),
    bodyLimit: opts.bodyLimit,
    maxRows: opts.maxRows,
    requestTimeoutMs: opts.requestTimeout,
    inferenceTimeoutMs: opts.inferenceTimeout,
    metricsPublic: opts.metricsPublic ?? false,
    ...(opts.asOf === undefined ? {} : { monitorAsOf: opts.asOf }),
    logger: { level: 'warn', stream: process.stderr },
    version: packageVersion(),
    cluster: { replica, ...(election === undefined ? {} : { leadership: election }) },
    ...(events === undefined ? {} : { events }),
  });
  // The monitoring loop and the deployment events run on the leader only, like the canary controller.
  let monitoring: { stop(): void } | undefined;
  let deployments: AbortController | undefined;
  const lead = (leader: boolean) => {
    if (leader && monitoring === undefined && opts.monitorInterval > 0) {
      monitoring = startMonitoring(stores, host, features, opts.monitorInterval * 1000, warn, () =>
        Boolean(election?.isLeader()),
      );
    } else if (!leader) {
      monitoring?.stop();
      monitoring = undefined;
    }
    if (leader && events !== undefined && deployments === undefined) {
      deployments = new AbortController();
      void publishDeployments(stores, events, {
        signal: deployments.signal,
        onError: warn('publishing deployment events'),
      });
    } else if (!leader) {
      deployments?.abort();
      deployments = undefined;
    }
  };
  const unsubscribe = election?.onChange(({ leader }) => lead(leader));
  lead(election?.isLeader() ?? false);
  const shutdown = handleShutdownSignals(
    async () => {
      // Step down first: another replica takes over while this one drains.
      await election?.stop();
      unsubscribe?.();
      lead(false);
      await server.close();
    },
    {
      onSignal: (signal) => io.err(`${signal}: draining in-flight requests (again to exit now)`),
    },
  );
  try {
    let url: string;
    try {
      url = await server.listen({ port: opts.port, host: opts.host });
    } catch (err) {
      lead(false);
      await server.close();
      throw err;
    }
    const served = host.names();
    const leader = election?.isLeader() ?? false;
    if (opts.json) {
      io.out(JSON.stringify({ listening: url, models: served, auth: opts.auth, replica, leader }));
    } else {
      io.out(`listening on ${url}`);
      const role =
        election === undefined
          ? ''
          : `, canary controller ${leader ? 'on (leader)' : 'standing by (follower)'}`;
      io.err(
        `serving ${served.length === 0 ? 'no models yet' : served.join(', ')}; auth ${opts.auth}, log ${opts.logMode}, online features ${features.store.description}${role}`,
      );
    }
    await shutdown.done;
    io.err('stopped: in-flight requests answered, prediction log flushed');
  } finally {
    shutdown.dispose();
    unsubscribe?.();
    lead(false);
    await watch?.close();
    await events?.close();
  }
}

/**
 * On the replica that leads: every `intervalMs`, the
 * monitoring rules of each served model on its latest window (alerts and
 * webhooks). One evaluation at a time, and none once `leads` says this
 * replica's leadership lapsed.
 */
function startMonitoring(
  stores: Stores,
  host: RegistryModelHost,
  features: OnlineFeatures,
  intervalMs: number,
  warn: (context: string) => (err: unknown) => void,
  leads: () => boolean,
): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running || !leads()) return;
    running = true;
    try {
      const freshness = await features.freshness();
      for (const name of host.names()) {
        await monitorModel(stores, name, { count: 1, freshness }).catch(warn(`monitoring ${name}`));
      }
    } catch (err) {
      warn('monitoring')(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
