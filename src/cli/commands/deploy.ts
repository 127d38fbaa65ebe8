/**
 * `flywheel deploy`: put a registered, blessed version in front of traffic:
 * straight to champion, as a canary taking a sticky share of requests, or in
 * shadow (scored on live traffic, never answering). The canary controller
 * inside `flywheel serve --controller` then promotes or rolls back by itself;
 * `--end` does it by hand, `--status` shows where things stand.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { FlywheelError } from '../../errors.js';
import { actorName } from '../../pipeline/index.js';
import {
  CANARY_OUTCOMES,
  type CanaryOutcome,
  type Deployment,
  ModelRegistry,
  parseModelRef,
} from '../../registry/index.js';
import { smokeCheck } from '../../serve/index.js';
import { type Io, printJson } from '../output.js';
import { openStoreForCli } from '../store.js';

/** `10%` or `10` → 10; a share of traffic in (0, 100]. */
export function parsePercent(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 100)
    throw new InvalidArgumentError(`must be a share of traffic such as 10%, got ${value}`);
  return n;
}

function parseOutcome(value: string): CanaryOutcome {
  if (!(CANARY_OUTCOMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${CANARY_OUTCOMES.join(', ')}`);
  return value as CanaryOutcome;
}

interface DeployOptions {
  canary?: number;
  shadow?: boolean;
  end?: CanaryOutcome;
  status?: boolean;
  reason?: string;
  store?: string;
  json?: boolean;
}

export function deployCommand(io: Io): Command {
  return new Command('deploy')
    .description(
      'deploy a blessed version: as champion, as a canary on a share of traffic, or in shadow; end or inspect a canary',
    )
    .argument('<ref>', 'NAME@VERSION to deploy, or NAME with --end / --status')
    .option(
      '--canary <share>',
      'send this sticky share of traffic to the version, e.g. 10%',
      parsePercent,
    )
    .option('--shadow', 'score live traffic with the version without serving its answers')
    .addOption(
      new Option('--end <outcome>', `end the canary: ${CANARY_OUTCOMES.join(' | ')}`).argParser(
        parseOutcome,
      ),
    )
    .option('--status', "show the model's champion and canary")
    .option('--reason <text>', 'why (recorded with the move; required for changes)')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(async (ref: string, opts: DeployOptions) => {
      const stores = await openStoreForCli(opts.store === undefined ? {} : { store: opts.store });
      try {
        const registry = new ModelRegistry(stores);
        const actor = actorName();
        const parsed = parseModelRef(ref);
        if (opts.status) {
          const d = await registry.deployment(parsed.name);
          if (opts.json) return printJson(io, d);
          return io.out(renderDeployment(d));
        }
        const reason = opts.reason?.trim();
        if (!reason)
          throw new FlywheelError('USAGE', 'deploy changes what serves: say why with --reason');
        if (opts.end) {
          const move = await registry.endCanary({
            name: parsed.name,
            outcome: opts.end,
            actor,
            reason,
          });
          if (opts.json) return printJson(io, move);
          return io.out(
            `Canary of ${parsed.name} ended: ${opts.end}${move.toVersion === null ? '' : `; champion is now ${parsed.name}@${move.toVersion}`}`,
          );
        }
        const version = await registry.resolve(ref);
        const check = async (bundle: Parameters<typeof smokeCheck>[0]) => {
          await smokeCheck(bundle);
        };
        if (opts.canary !== undefined || opts.shadow) {
          const weight = opts.canary ?? 0;
          const move = await registry.startCanary({
            name: version.name,
            version: version.version,
            weight,
            shadow: Boolean(opts.shadow),
            actor,
            reason,
            smokeCheck: check,
          });
          if (opts.json) return printJson(io, move);
          return io.out(
            opts.shadow
              ? `${version.name}@${version.version} is in shadow: it scores live traffic, the champion answers`
              : `${version.name}@${version.version} is the canary on ${weight}% of traffic; flywheel serve --controller promotes or rolls it back`,
          );
        }
        const move = await registry.moveAlias({
          name: version.name,
          alias: 'champion',
          version: version.version,
          actor,
          reason,
          smokeCheck: check,
        });
        if (opts.json) return printJson(io, move);
        io.out(
          `${version.name}@${version.version} is the champion (was ${move.fromVersion === null ? 'none' : `@${move.fromVersion}`})`,
        );
      } finally {
        await stores.close();
      }
    });
}

export function renderDeployment(d: Deployment): string {
  const lines = [`${d.name}: champion ${d.champion ? `@${d.champion.version}` : 'none'}`];
  if (d.canary)
    lines.push(
      `  canary @${d.canary.version.version} on ${d.canary.weight}% of traffic${d.canary.shadow ? ' (shadow)' : ''}, since ${d.canary.startedAt}`,
    );
  return lines.join('\n');
}
