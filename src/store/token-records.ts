/**
 * Rows of `api_tokens`: bearer tokens by id, found by the sha256 of the
 * token. The token itself is never stored.
 */
import type { Selectable } from 'kysely';
import { encodeTime } from './codec.js';
import type { ApiTokenRecord } from './records.js';
import type { ApiTokensTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function fromRow(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tokenSha256: row.token_sha256,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiToken({ db }: StoreContext, token: ApiTokenRecord): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      name: token.name,
      role: token.role,
      token_sha256: token.tokenSha256,
      created_at: encodeTime(token.createdAt, 'createdAt'),
      created_by: token.createdBy,
      revoked_at: token.revokedAt === null ? null : encodeTime(token.revokedAt, 'revokedAt'),
    })
    .execute();
}

export async function findApiTokenByHash(
  { db }: StoreContext,
  tokenSha256: string,
): Promise<ApiTokenRecord | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_sha256', '=', tokenSha256)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

export async function findApiToken(
  { db }: StoreContext,
  id: string,
): Promise<ApiTokenRecord | undefined> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

/** Marks a token revoked at `at`; false when it does not exist or was revoked before. */
export async function revokeApiToken(
  { db }: StoreContext,
  id: string,
  at: string | Date,
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: encodeTime(at, 'at') })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Every token, oldest first. */
export async function listApiTokens({ db }: StoreContext): Promise<ApiTokenRecord[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}
