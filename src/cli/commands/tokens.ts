/**
 * `flywheel tokens create|list|revoke`: bearer tokens for the server. A new
 * token is printed once and never again (only its hash is stored).
 */
import { Command, Option } from 'commander';
import { actorName } from '../../pipeline/index.js';
import { ROLES, type Role, TokenStore } from '../../registry/index.js';
import type { Stores } from '../../store/index.js';
import { formatTable, type Io, printJson } from '../output.js';
import { openStoreForCli } from '../store.js';

export interface TokensCommandOptions {
  /** Opens the store named by `--store` (default: `openStoreForCli`). */
  openStore?: (opts: { store?: string }) => Promise<Stores>;
}

const storeOption = () =>
  new Option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)');

/**
 * Builds the `tokens` command.
 *
 * @example
 * program.addCommand(tokensCommand(io));
 */
export function tokensCommand(io: Io, options: TokensCommandOptions = {}): Command {
  const open = options.openStore ?? openStoreForCli;
  const withTokens = async <T>(store: string | undefined, fn: (t: TokenStore) => Promise<T>) => {
    const stores = await open(store === undefined ? {} : { store });
    try {
      return await fn(new TokenStore(stores, { cacheMs: 0 }));
    } finally {
      await stores.close();
    }
  };

  const tokens = new Command('tokens').description('API bearer tokens and their roles');
  tokens
    .command('create')
    .description('create a token; it is shown once, so store it now')
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'who or what uses it, e.g. checkout-service')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: { role: Role; name: string; store?: string; json?: boolean }) => {
      const created = await withTokens(opts.store, (t) =>
        t.create({ role: opts.role, name: opts.name, actor: actorName() }),
      );
      if (opts.json) return printJson(io, { ...created, name: opts.name });
      io.out(created.token);
      io.err(
        `created token ${created.id} (${created.role}) for ${opts.name}; ` +
          'this is the only time it is shown: store it in a secret manager now',
      );
    });
  tokens
    .command('list')
    .description('tokens with their roles (never the tokens themselves)')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: { store?: string; json?: boolean }) => {
      const list = await withTokens(opts.store, (t) => t.list());
      if (opts.json) return printJson(io, { tokens: list });
      if (list.length === 0) return io.out('No tokens yet: `flywheel tokens create --role …`');
      io.out(
        formatTable(
          ['id', 'name', 'role', 'created', 'revoked'],
          list.map((t) => [
            t.id,
            t.name,
            t.role,
            t.createdAt.replace('T', ' ').slice(0, 19),
            t.revokedAt?.replace('T', ' ').slice(0, 19) ?? '-',
          ]),
        ),
      );
    });
  tokens
    .command('revoke')
    .description('revoke a token; servers refuse it within a second')
    .argument('<id>', 'token id (tok_…)')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, opts: { store?: string; json?: boolean }) => {
      await withTokens(opts.store, (t) => t.revoke(id, actorName()));
      if (opts.json) return printJson(io, { id, revoked: true });
      io.out(`revoked ${id}`);
    });
  return tokens;
}
