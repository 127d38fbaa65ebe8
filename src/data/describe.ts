/**
 * `flywheel data describe`: rows, columns, their kinds and missing rates,
 * and the target's base rate per split, computed in DuckDB over the prepared
 * dataset (no rows are copied into JavaScript).
 */
import type { PreparedDataset } from './dataset.js';
import { type DuckSession, sqlIdent } from './duck.js';
import type { ColumnType } from './frame.js';

export interface ColumnDescription {
  readonly name: string;
  readonly role: 'feature' | 'target' | 'event_time' | 'entity';
  readonly type: ColumnType | 'binary';
  readonly source: string;
  readonly missing: number;
  readonly missingRate: number;
  readonly distinct: number;
}

export interface SplitDescription {
  readonly split: string;
  readonly rows: number;
  readonly labelled: number;
  /** Binary: share of labelled rows that are positive. */
  readonly baseRate: number | null;
}

export interface DataDescription {
  readonly rows: number;
  readonly unassigned: number;
  readonly columns: readonly ColumnDescription[];
  readonly splits: readonly SplitDescription[];
  readonly sources: PreparedDataset['sources'];
}

/**
 * Describes the prepared dataset.
 *
 * @example
 * const d = await describeDataset(session, prepared);
 * console.log(d.splits.map((s) => `${s.split}: ${s.baseRate}`));
 */
export async function describeDataset(
  session: DuckSession,
  prepared: PreparedDataset,
): Promise<DataDescription> {
  const spec = prepared.spec;
  const entries: {
    name: string;
    expr: string;
    role: ColumnDescription['role'];
    type: ColumnDescription['type'];
    source: string;
  }[] = [
    ...prepared.features.map((f) => ({
      name: f.name,
      expr: sqlIdent(f.name),
      role: 'feature' as const,
      type: f.type,
      source: f.derived
        ? `derived: ${spec.features?.derive?.[f.name] ?? ''}`
        : (prepared.inputColumns.find((c) => c.name === f.name)?.originalType ?? ''),
    })),
    {
      name: spec.target.column,
      expr: '__target',
      role: 'target',
      type:
        prepared.targetKind === 'binary'
          ? 'binary'
          : prepared.targetKind === 'numeric'
            ? 'numeric'
            : 'categorical',
      source: spec.target.positive
        ? `positive: ${spec.target.positive}`
        : (prepared.inputColumns.find((c) => c.name === spec.target.column)?.originalType ?? ''),
    },
  ];
  if (spec.event_time !== undefined) {
    entries.push({
      name: spec.event_time,
      expr: '__event_time',
      role: 'event_time',
      type: 'timestamp',
      source: prepared.inputColumns.find((c) => c.name === spec.event_time)?.originalType ?? '',
    });
  }
  if (spec.entity !== undefined) {
    entries.push({
      name: spec.entity,
      expr: '__entity',
      role: 'entity',
      type: 'categorical',
      source: prepared.inputColumns.find((c) => c.name === spec.entity)?.originalType ?? '',
    });
  }
  const parts = entries.flatMap((e, i) => [
    `count(*) - count(${e.expr}) AS m${i}`,
    `count(DISTINCT ${e.expr}) AS d${i}`,
  ]);
  const row = (await session.rows(`SELECT ${parts.join(', ')} FROM fw_dataset`))[0] ?? {};
  const columns = entries.map((e, i): ColumnDescription => {
    const missing = Number(row[`m${i}`] ?? 0);
    return {
      name: e.name,
      role: e.role,
      type: e.type,
      source: e.source,
      missing,
      missingRate: missing / prepared.rows,
      distinct: Number(row[`d${i}`] ?? 0),
    };
  });
  const splits = prepared.splits.map((s) => ({
    split: s.split,
    rows: s.rows,
    labelled: s.labelled,
    baseRate: prepared.targetKind === 'binary' && s.labelled > 0 ? s.positives / s.labelled : null,
  }));
  return {
    rows: prepared.rows,
    unassigned: prepared.unassigned,
    columns,
    splits,
    sources: prepared.sources,
  };
}
