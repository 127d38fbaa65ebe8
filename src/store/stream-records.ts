/**
 * Answers to scoring requests consumed from a stream: each message id is
 * answered once per consumer, and its predictions are logged in the same
 * transaction as its answer, so a redelivered message is never logged twice.
 */
import { decodeJson, encodeJson, encodeTime } from './codec.js';
import { insertPredictions } from './prediction-log.js';
import type { PredictionInput } from './records.js';
import type { StoreContext } from './store-context.js';

/** A message's answer and the predictions behind it. */
export interface StreamAnswer {
  readonly messageId: string;
  readonly at: string | Date;
  readonly modelVersion: string;
  /** The answer as published (JSON-serialisable). */
  readonly answer: unknown;
  readonly predictions: readonly PredictionInput[];
}

const CHUNK = 500;

/** The stored answers of the messages among `ids` that `consumer` answered before. */
export async function findStreamAnswers(
  { db }: StoreContext,
  consumer: string,
  ids: readonly string[],
): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom('stream_messages')
      .select(['message_id', 'answer'])
      .where('consumer', '=', consumer)
      .where('message_id', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) found.set(r.message_id, decodeJson(r.answer));
  }
  return found;
}

/**
 * Records answers (call inside a transaction): a message answered before
 * keeps its first answer and logs nothing; the others log their predictions
 * and their answer. Returns the earlier answers of the repeated messages.
 */
export async function recordStreamAnswers(
  ctx: StoreContext,
  consumer: string,
  answers: readonly StreamAnswer[],
): Promise<Map<string, unknown>> {
  const before = await findStreamAnswers(
    ctx,
    consumer,
    answers.map((a) => a.messageId),
  );
  const seen = new Set(before.keys());
  const fresh = answers.filter((a) => {
    if (seen.has(a.messageId)) return false;
    seen.add(a.messageId);
    return true;
  });
  if (fresh.length === 0) return before;
  await insertPredictions(
    ctx,
    fresh.flatMap((a) => a.predictions),
  );
  for (let i = 0; i < fresh.length; i += CHUNK) {
    await ctx.db
      .insertInto('stream_messages')
      .values(
        fresh.slice(i, i + CHUNK).map((a) => ({
          consumer,
          message_id: a.messageId,
          at: encodeTime(a.at, 'at'),
          model_version: a.modelVersion,
          answer: encodeJson(a.answer, 'answer'),
        })),
      )
      .execute();
  }
  return before;
}

/** How many messages `consumer` has answered (all consumers when undefined). */
export async function countStreamAnswers({ db }: StoreContext, consumer?: string): Promise<number> {
  let query = db.selectFrom('stream_messages').select((eb) => eb.fn.countAll<number>().as('n'));
  if (consumer !== undefined) query = query.where('consumer', '=', consumer);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Forgets the answers `consumer` recorded before `before`: a message
 * redelivered after that is scored again (keep answers longer than a
 * message can wait unacknowledged).
 */
export async function pruneStreamAnswers(
  { db }: StoreContext,
  consumer: string,
  before: string | Date,
): Promise<number> {
  const result = await db
    .deleteFrom('stream_messages')
    .where('consumer', '=', consumer)
    .where('at', '<', encodeTime(before, 'before'))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
