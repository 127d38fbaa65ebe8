/**
 * Train / validation / test assignment as SQL, so that describe, check and
 * loading all agree. A time split compares the event time with the spec's
 * cut-offs. A random split hashes the row number (or the entity, so that an
 * entity never straddles two parts) together with the seed through a fixed
 * integer mixer: the same data and seed give the same split on any machine.
 */
import type { Spec } from '../spec/index.js';
import { sqlString } from './duck.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

const MOD = 2147483648n; // 2^31

/** The mixer's macros; create them once per session before using `splitSql`. */
export const MIXER_MACROS = [
  'CREATE OR REPLACE TEMP MACRO fw_m1(x) AS xor(x, x >> 15)',
  'CREATE OR REPLACE TEMP MACRO fw_m2(x) AS ((x * 1103515245) % 2147483648)',
  'CREATE OR REPLACE TEMP MACRO fw_m3(x) AS xor(x, x >> 13)',
  'CREATE OR REPLACE TEMP MACRO fw_m4(x) AS ((x * 2654435761) % 2147483648)',
  'CREATE OR REPLACE TEMP MACRO fw_m5(x) AS xor(x, x >> 16)',
  'CREATE OR REPLACE TEMP MACRO fw_unit(x, seed) AS (fw_m5(fw_m4(fw_m3(fw_m2(fw_m1((CAST(x AS BIGINT) + CAST(seed AS BIGINT) * 1000003) % 2147483648))))) / 2147483648.0)',
];

/**
 * The same mixer in TypeScript: a number in [0, 1) for key `x` and `seed`.
 * Used by tests to pin the SQL, and by code that splits rows already in memory.
 */
export function mixUnit(x: number, seed: number): number {
  let v = (BigInt(x) + BigInt(seed) * 1000003n) % MOD;
  v ^= v >> 15n;
  v = (v * 1103515245n) % MOD;
  v ^= v >> 13n;
  v = (v * 2654435761n) % MOD;
  v ^= v >> 16n;
  return Number(v) / 2147483648;
}

function ts(date: string): string {
  return `CAST(${sqlString(date)} AS TIMESTAMP)`;
}

/**
 * A SQL expression giving 'train', 'validation', 'test' or NULL (outside every part).
 * `eventTime` and `rowKey` are SQL expressions over the input row.
 */
export function splitSql(
  split: Spec['split'],
  eventTime: string | undefined,
  rowKey: string,
): string {
  if (split.method === 'time') {
    const cases = SPLITS.map((part) => {
      const { from, until } = split[part];
      const conds = [`${eventTime} IS NOT NULL`];
      if (from !== undefined) conds.push(`${eventTime} >= ${ts(from)}`);
      if (until !== undefined) conds.push(`${eventTime} < ${ts(until)}`);
      return `WHEN ${conds.join(' AND ')} THEN '${part}'`;
    });
    return `CASE ${cases.join(' ')} END`;
  }
  const u = `fw_unit(${rowKey}, ${split.seed})`;
  const t = split.ratios.train;
  const v = split.ratios.train + split.ratios.validation;
  return `CASE WHEN ${u} < ${t} THEN 'train' WHEN ${u} < ${v} THEN 'validation' ELSE 'test' END`;
}
