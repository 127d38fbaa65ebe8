/**
 * `flywheel monitor`: what is happening in production now. So far: the
 * freshness of the events behind online features against the spec's bounds
 * (`events.<table>.freshness`); a stale table is an alert and exit 3.
 */
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { openProjectOnline, openProjectStore } from '../../pipeline/index.js';
import { loadSpec } from '../../spec/index.js';
import { ExitWith, type Io, printJson } from '../output.js';
import { renderFreshness } from './features.js';

export function monitorCommand(io: Io): Command {
  return new Command('monitor')
    .description(
      "production health: feature freshness against the spec's bounds (exit 3 on an alert)",
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--online-store <location>', 'embedded (default) or redis://host:port/db')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (target: string, opts: { store?: string; onlineStore?: string; json?: boolean }) => {
        const loaded = loadSpec(target);
        const stores = await openProjectStore(loaded, opts.store);
        try {
          const online = await openProjectOnline(loaded, stores, opts.onlineStore);
          try {
            const freshness = await online.features.freshness();
            const alerts = freshness
              .filter((f) => f.stale)
              .map((f) => ({
                rule: 'feature_freshness',
                table: f.table,
                features: f.features,
                message: `the newest "${f.table}" event is ${Math.round(f.ageMs / 1000)} s old; the bound is ${Math.round((f.boundMs ?? 0) / 1000)} s`,
              }));
            if (opts.json) printJson(io, { freshness, alerts });
            else {
              io.out(renderFreshness(freshness));
              io.out(
                alerts.length === 0
                  ? '\nno alerts'
                  : `\n${alerts.map((a) => `ALERT ${a.rule}: ${a.message}`).join('\n')}`,
              );
            }
            if (alerts.length > 0) throw new ExitWith(ExitCode.data);
          } finally {
            await online.close();
          }
        } finally {
          await stores.close();
        }
      },
    );
}
