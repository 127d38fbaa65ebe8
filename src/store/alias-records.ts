/**
 * Rows of `model_aliases` (where each alias points now) and `alias_moves`
 * (how it got there). Every change of an alias row comes with its move, in
 * the caller's transaction, so the history always explains the present.
 */
import type { Selectable } from 'kysely';
import { FlywheelError } from '../errors.js';
import { clampLimit, decodeJson, displayId, encodeJson, encodeTime } from './codec.js';
import type { AliasMoveFilter, AliasMoveInput, AliasMoveRecord } from './records.js';
import type { AliasMovesTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function fromRow(row: Selectable<AliasMovesTable>): AliasMoveRecord {
  return {
    id: Number(row.id),
    name: row.name,
    alias: row.alias,
    action: row.action,
    fromVersion: row.from_version === null ? null : Number(row.from_version),
    toVersion: row.to_version === null ? null : Number(row.to_version),
    at: row.at,
    actor: row.actor,
    reason: row.reason,
    evidence: decodeJson(row.evidence),
  };
}

/** Where the aliases of `name` point now. */
export async function listAliases(
  { db }: StoreContext,
  name: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('model_aliases')
    .select(['alias', 'version'])
    .where('name', '=', name)
    .orderBy('alias')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.alias, Number(r.version)]));
}

/**
 * The version an alias points at (`null`: unset). With `lock` (inside a write
 * transaction) the row stays locked until commit where the engine has row locks.
 */
export async function currentAlias(
  ctx: StoreContext,
  name: string,
  alias: string,
  lock = false,
): Promise<number | null> {
  let query = ctx.db
    .selectFrom('model_aliases')
    .select('version')
    .where('name', '=', name)
    .where('alias', '=', alias);
  if (lock && ctx.dialect.capabilities.supportsRowLocks) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? null : Number(row.version);
}

function movedConcurrently(name: string, alias: string): FlywheelError {
  return new FlywheelError(
    'CONFLICT',
    `${displayId(name)}@${displayId(alias)} was moved by someone else at the same time`,
    { hint: 'look at `flywheel models history` and retry if the move is still wanted' },
  );
}

/**
 * Points an alias at `toVersion` (or removes it) and appends the move; call
 * inside a write transaction. Returns `undefined`, writing nothing, when the
 * alias already holds `toVersion`. Fails with CONFLICT when the alias no
 * longer holds `expectedFrom`, or when a concurrent writer changed it first:
 * SQLite serialises writers, PostgreSQL locks the alias row (or, for a new
 * alias, lets exactly one insert win).
 */
export async function applyAliasMove(
  ctx: StoreContext,
  input: AliasMoveInput,
): Promise<AliasMoveRecord | undefined> {
  const { db } = ctx;
  const { name, alias, toVersion } = input;
  const from = await currentAlias(ctx, name, alias, true);
  if (input.expectedFrom !== undefined && from !== input.expectedFrom) {
    throw movedConcurrently(name, alias);
  }
  if (from === toVersion) {
    if (toVersion === null) {
      throw new FlywheelError(
        'NOT_FOUND',
        `model ${displayId(name)} has no alias ${displayId(alias)}`,
      );
    }
    return undefined;
  }
  const at = encodeTime(input.at, 'at');
  if (toVersion === null) {
    await db
      .deleteFrom('model_aliases')
      .where('name', '=', name)
      .where('alias', '=', alias)
      .execute();
  } else if (from === null) {
    const inserted = await db
      .insertInto('model_aliases')
      .values({ name, alias, version: toVersion, updated_at: at })
      .onConflict((oc) => oc.columns(['name', 'alias']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw movedConcurrently(name, alias);
  } else {
    const updated = await db
      .updateTable('model_aliases')
      .set({ version: toVersion, updated_at: at })
      .where('name', '=', name)
      .where('alias', '=', alias)
      .where('version', '=', from)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw movedConcurrently(name, alias);
  }
  const row = {
    name,
    alias,
    action: input.action,
    from_version: from,
    to_version: toVersion,
    at,
    actor: input.actor,
    reason: input.reason,
    evidence: encodeJson(input.evidence ?? null, 'evidence'),
  };
  const { id } = await db
    .insertInto('alias_moves')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return fromRow({ id, ...row });
}

/** Alias moves of a model (optionally one alias), oldest first (default limit 1000). */
export async function listAliasMoves(
  { db }: StoreContext,
  filter: AliasMoveFilter,
): Promise<AliasMoveRecord[]> {
  let query = db.selectFrom('alias_moves').selectAll().where('name', '=', filter.name);
  if (filter.alias !== undefined) query = query.where('alias', '=', filter.alias);
  if (filter.until !== undefined)
    query = query.where('at', '<=', encodeTime(filter.until, 'until'));
  const rows = await query.orderBy('id').limit(clampLimit(filter.limit, 1000)).execute();
  return rows.map(fromRow);
}

/** The latest move of an alias, or `undefined` when it never moved. */
export async function lastAliasMove(
  { db }: StoreContext,
  name: string,
  alias: string,
): Promise<AliasMoveRecord | undefined> {
  const row = await db
    .selectFrom('alias_moves')
    .selectAll()
    .where('name', '=', name)
    .where('alias', '=', alias)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

/** The version an alias pointed at, at instant `at` (`undefined`: unset then). */
export async function aliasVersionAt(
  { db }: StoreContext,
  name: string,
  alias: string,
  at: string | Date,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('alias_moves')
    .select('to_version')
    .where('name', '=', name)
    .where('alias', '=', alias)
    .where('at', '<=', encodeTime(at, 'at'))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.to_version === null || row === undefined ? undefined : Number(row.to_version);
}
