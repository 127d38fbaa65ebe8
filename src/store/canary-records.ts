/**
 * Rows of `canaries`: the running canary of each model (version, traffic
 * share, shadow mode), and the registry's change token that servers poll.
 */
import { type Selectable, sql } from 'kysely';
import { encodeTime } from './codec.js';
import type { CanaryRecord } from './records.js';
import type { CanariesTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function fromRow(row: Selectable<CanariesTable>): CanaryRecord {
  return {
    name: row.name,
    version: Number(row.version),
    weight: Number(row.weight),
    shadow: Number(row.shadow) === 1,
    startedAt: row.started_at,
    stateVersion: Number(row.state_version),
  };
}

/** The running canary of `name`; with `lock`, its row stays locked until commit (PostgreSQL). */
export async function findCanary(
  ctx: StoreContext,
  name: string,
  lock = false,
): Promise<CanaryRecord | undefined> {
  let query = ctx.db.selectFrom('canaries').selectAll().where('name', '=', name);
  if (lock && ctx.dialect.capabilities.supportsRowLocks) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

/** Records a new canary (state version 1); returns false when `name` already has one. */
export async function insertCanary(
  { db }: StoreContext,
  canary: Omit<CanaryRecord, 'stateVersion'>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('canaries')
    .values({
      name: canary.name,
      version: canary.version,
      weight: canary.weight,
      shadow: canary.shadow ? 1 : 0,
      started_at: encodeTime(canary.startedAt, 'startedAt'),
      state_version: 1,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Sets the canary's traffic share and counts the change; false when there is no canary. */
export async function updateCanaryWeight(
  { db }: StoreContext,
  name: string,
  weight: number,
): Promise<boolean> {
  const result = await db
    .updateTable('canaries')
    .set((eb) => ({ weight, state_version: eb('state_version', '+', 1) }))
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteCanary({ db }: StoreContext, name: string): Promise<boolean> {
  const result = await db.deleteFrom('canaries').where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * A token that changes whenever an alias moves or a canary changes, in one
 * cheap statement. The count of alias moves, not their largest id: on
 * PostgreSQL ids are handed out before commit, so a move could commit after a
 * later id and leave the maximum unchanged; the table is append-only, so its
 * count only grows. Between two moves only canary weights change, and each
 * raises the sum of state versions.
 */
export async function registryChangeToken({ db }: StoreContext): Promise<string> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('alias_moves').select(eb.fn.countAll().as('n')).as('moves'),
      eb
        .selectFrom('canaries')
        .select(sql<number>`coalesce(sum(state_version), 0)`.as('s'))
        .as('canaries'),
    ])
    .executeTakeFirstOrThrow();
  return `${Number(row.moves)}.${Number(row.canaries)}`;
}
