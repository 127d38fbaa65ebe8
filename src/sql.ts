/** Quoting for DuckDB SQL text built by Flywheel (identifiers and string literals). */

/** `'text'` as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `"name"` as a SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The part of a DuckDB session the data checks need: run a statement, read rows. */
export interface SqlRunner {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
}
