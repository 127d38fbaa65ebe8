/**
 * A thin session over one in-process DuckDB database: all data work in
 * Flywheel (reading files, SQL over them, profiles) goes through here.
 */
import { type DuckDBConnection, type DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';

export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens an in-memory database (threads default to the machine's cores). */
  static async open(options: { threads?: number } = {}): Promise<DuckSession> {
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    return new DuckSession(instance, await instance.connect());
  }

  /** Runs a statement, discarding any result. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as plain objects (JSON-safe values). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** Column names and DuckDB type names of a query's result, without running it fully. */
  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.rows(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  }

  /** Streams a query chunk by chunk (about 2,048 rows each). */
  async *chunks(sql: string): AsyncGenerator<DuckDBDataChunk> {
    const result = await this.connection.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      yield chunk;
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export { sqlIdent, sqlString } from '../sql.js';
