/**
 * The hot write path: many rows into one table inside one transaction. Kysely
 * compiles a multi-row INSERT once per (table, columns, rows-per-statement);
 * each chunk then runs that SQL with fresh parameters, so per-row cost is the
 * engine's, not the query builder's. Chunks are 500 rows, the remainder split
 * into powers of two, which keeps the set of compiled statements small.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

const MAX_ROWS_PER_STATEMENT = 500;

export class BatchInserter {
  readonly #maxBindParameters: number;
  readonly #sqlCache = new Map<string, string>();

  constructor(maxBindParameters: number) {
    this.#maxBindParameters = maxBindParameters;
  }

  /**
   * Inserts `rows` (each an array of values in `columns` order) into `table`.
   * Call inside a transaction for all-or-nothing.
   *
   * @example
   * await batch.insert(trx, 'run_metrics', ['run_id', 'key', 'step', 'value', 'at'], rows);
   */
  async insert(
    db: Kysely<StoreSchema>,
    table: keyof StoreSchema,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
    options: { readonly ignoreConflicts?: boolean } = {},
  ): Promise<void> {
    const perStatement = Math.max(
      1,
      Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(this.#maxBindParameters / columns.length)),
    );
    let offset = 0;
    while (offset < rows.length) {
      const remaining = rows.length - offset;
      const size = remaining >= perStatement ? perStatement : 2 ** Math.floor(Math.log2(remaining));
      const sql = this.#sql(db, table, columns, size, options.ignoreConflicts === true);
      const params: unknown[] = new Array(size * columns.length);
      let p = 0;
      for (let r = offset; r < offset + size; r++) {
        const row = rows[r]!;
        for (let c = 0; c < columns.length; c++) params[p++] = row[c];
      }
      await db.executeQuery(CompiledQuery.raw(sql, params));
      offset += size;
    }
  }

  #sql(
    db: Kysely<StoreSchema>,
    table: keyof StoreSchema,
    columns: readonly string[],
    rowCount: number,
    ignoreConflicts: boolean,
  ): string {
    const key = `${table}\u0000${columns.join(',')}\u0000${rowCount}\u0000${ignoreConflicts}`;
    let sql = this.#sqlCache.get(key);
    if (sql === undefined) {
      let n = 0;
      const placeholders = Array.from({ length: rowCount }, () =>
        Object.fromEntries(columns.map((column) => [column, n++])),
      );
      const insert = db.insertInto(table).values(placeholders as never); // columns are only known at run time
      const compiled = (
        ignoreConflicts ? insert.onConflict((oc) => oc.doNothing()) : insert
      ).compile();
      if (compiled.parameters.length !== n || compiled.parameters.some((v, i) => v !== i)) {
        throw new Error(`batch insert into ${table}: unexpected parameter order`);
      }
      sql = compiled.sql;
      this.#sqlCache.set(key, sql);
    }
    return sql;
  }
}
