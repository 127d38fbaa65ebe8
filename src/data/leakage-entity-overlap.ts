/**
 * `leakage.entity_overlap`: the same entity on both sides of a split (block
 * for a random split grouped by entity, info for a time split).
 */
import type { Finding } from '../findings.js';
import type { SqlRunner } from '../sql.js';
import type { LeakageInput } from './leakage.js';
import { EXAMPLES, num, percent, ROWS, round } from './leakage-rows.js';

/**
 * Entities on both sides of the split. A random split grouped by entity must
 * have none (block: the model would be tested on entities it trained on); a
 * time split has them by design (info, so a reader knows how much of the test
 * is about familiar entities).
 */
export async function entityOverlap(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  if (!input.hasEntity) return [];
  const sides = `SELECT __entity, bool_or(__split = 'train') AS tr, bool_or(__split = 'validation') AS va,
      bool_or(__split = 'test') AS te
    FROM ${ROWS} WHERE __entity IS NOT NULL AND __split IS NOT NULL GROUP BY __entity`;
  const row = (
    await runner.rows(`SELECT count(*) FILTER (WHERE tr AND te) AS train_test,
        count(*) FILTER (WHERE tr AND va) AS train_validation, count(*) FILTER (WHERE te) AS test,
        count(*) FILTER (WHERE va) AS validation, count(*) FILTER (WHERE tr) AS train
      FROM (${sides})`)
  )[0]!;
  const trainTest = num(row['train_test']);
  const trainValidation = num(row['train_validation']);
  if (trainTest + trainValidation === 0) return [];
  const examples = (
    await runner.rows(
      `SELECT __entity AS e FROM (${sides}) WHERE tr AND (te OR va) ORDER BY __entity LIMIT ${EXAMPLES}`,
    )
  ).map((r) => String(r['e']));
  const testEntities = num(row['test']);
  const evidence = {
    trainTest,
    trainValidation,
    trainEntities: num(row['train']),
    validationEntities: num(row['validation']),
    testEntities,
    testShareSeenInTrain: round(trainTest / Math.max(testEntities, 1)),
    examples,
  };
  if (input.splitMethod === 'random') {
    return [
      {
        check: 'leakage.entity_overlap',
        severity: 'block',
        message: `${trainTest} entities are in both train and test (${trainValidation} in train and validation), although the random split is grouped by entity: the model is tested on entities it trained on (e.g. ${examples.slice(0, 3).join(', ')})`,
        evidence,
      },
    ];
  }
  return [
    {
      check: 'leakage.entity_overlap',
      severity: 'info',
      message: `${percent(evidence.testShareSeenInTrain)} of test entities (${trainTest} of ${testEntities}) also appear in train, as expected for a time split: test scores describe entities the model has seen before`,
      evidence,
    },
  ];
}
