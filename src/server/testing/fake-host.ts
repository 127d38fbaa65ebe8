/**
 * A small in-memory ModelHost for the server's tests (and for running the
 * server before a registry exists): each model scores the logistic of the sum
 * of its numeric inputs, checks rows against its declared inputs, can be
 * swapped to another version, made unready, slow or hanging, and logs every
 * prediction through `log` before answering, as the real host's group commit
 * does.
 */
import { randomUUID } from 'node:crypto';
import { FlywheelError } from '../../errors.js';
import type {
  FieldError,
  ModelHost,
  ModelMetadata,
  PredictOutcome,
  PredictRequest,
  ScoredRow,
} from '../../serve/index.js';

export interface FakeInput {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
}

export interface FakeModel {
  version: string;
  readonly inputs: readonly FakeInput[];
  ready?: boolean;
  /** Never answer (until aborted): a hanging inference. */
  hang?: boolean;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

export interface LoggedPrediction {
  readonly id: string;
  readonly modelVersion: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly score: number;
  readonly latencyMs: number;
}

export interface FakeHostOptions {
  readonly models: Record<string, FakeModel>;
  /** Commits predictions before they are answered; a rejection fails the request. */
  readonly log?: (rows: readonly LoggedPrediction[]) => Promise<unknown>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * @example
 * const host = new FakeModelHost({ models: { churn: { version: '1', inputs: [{ name: 'x', type: 'numeric' }] } } });
 * await host.predict('churn', { rows: [{ x: 1 }], requestId: 'r1' });
 */
export class FakeModelHost implements ModelHost {
  readonly models: Map<string, FakeModel>;
  readonly #log: FakeHostOptions['log'];
  /** Requests being scored now. */
  inFlight = 0;
  closed = false;

  constructor(options: FakeHostOptions) {
    this.models = new Map(Object.entries(options.models));
    this.#log = options.log;
  }

  names(): readonly string[] {
    return [...this.models.keys()];
  }

  ready(name: string): boolean {
    return this.models.get(name)?.ready ?? this.models.has(name);
  }

  metadata(name: string): ModelMetadata | undefined {
    const model = this.models.get(name);
    if (model === undefined) return undefined;
    return {
      name,
      versions: [model.version],
      platform: 'flywheel',
      inputs: model.inputs.map((i) => ({
        name: i.name,
        datatype: i.type === 'numeric' ? 'FP64' : 'BYTES',
        shape: [-1],
      })),
      outputs: [
        { name: 'score', datatype: 'FP64', shape: [-1] },
        { name: 'decision', datatype: 'BOOL', shape: [-1] },
        { name: 'prediction_id', datatype: 'BYTES', shape: [-1] },
      ],
    };
  }

  async predict(name: string, request: PredictRequest): Promise<PredictOutcome> {
    const model = this.models.get(name);
    if (model === undefined) throw new FlywheelError('NOT_FOUND', 'unknown model');
    this.inFlight += 1;
    try {
      const started = performance.now();
      const modelVersion = `${name}@${model.version}`;
      const errors = request.rows.flatMap((row, i) => checkRow(model.inputs, row, i));
      if (errors.length > 0) return { ok: false, errors };
      if (model.hang)
        await new Promise<void>((resolve) =>
          request.signal?.addEventListener('abort', () => resolve()),
        );
      if (model.delayMs) await sleep(model.delayMs, request.signal);
      if (request.signal?.aborted) throw new Error('aborted');
      const rows: ScoredRow[] = request.rows.map((row) => {
        const sum = model.inputs.reduce(
          (s, i) =>
            s +
            (i.type === 'numeric' && typeof row[i.name] === 'number' ? (row[i.name] as number) : 0),
          0,
        );
        const score = 1 / (1 + Math.exp(-0.1 * sum));
        return { predictionId: randomUUID(), score, decision: score >= 0.5, modelVersion };
      });
      await this.#log?.(
        rows.map((r, i) => ({
          id: r.predictionId,
          modelVersion,
          inputs: request.rows[i],
          outputs: { score: r.score, decision: r.decision },
          score: r.score,
          latencyMs: performance.now() - started,
        })),
      );
      return { ok: true, rows };
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function checkRow(
  inputs: readonly FakeInput[],
  row: Readonly<Record<string, unknown>>,
  index: number,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const input of inputs) {
    if (!Object.hasOwn(row, input.name)) {
      errors.push({ row: index, field: input.name, message: 'is missing' });
      continue;
    }
    const v = row[input.name];
    if (v === null) continue;
    if (input.type === 'numeric' && (typeof v !== 'number' || !Number.isFinite(v))) {
      errors.push({ row: index, field: input.name, message: 'must be a finite number or null' });
    }
    if (input.type === 'categorical' && typeof v !== 'string') {
      errors.push({ row: index, field: input.name, message: 'must be a string or null' });
    }
  }
  for (const key of Object.keys(row)) {
    if (!inputs.some((i) => i.name === key)) {
      errors.push({ row: index, field: key, message: 'is not an input of this model' });
    }
  }
  return errors;
}
