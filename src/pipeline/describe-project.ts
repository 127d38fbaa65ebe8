/**
 * `flywheel data describe`: the prepared dataset's rows, columns, kinds,
 * missing rates and per-split base rates.
 */
import {
  type DataDescription,
  DuckSession,
  describeDataset,
  prepareDataset,
} from '../data/index.js';
import { loadSpec } from '../spec/index.js';

export interface DescribeReport extends DataDescription {
  readonly spec: { readonly file: string; readonly name: string; readonly task: string };
}

/**
 * Describes the data a project's spec points at.
 *
 * @example
 * const d = await describeProject('examples/flights');
 */
export async function describeProject(target = '.'): Promise<DescribeReport> {
  const loaded = loadSpec(target);
  const session = await DuckSession.open();
  try {
    const prepared = await prepareDataset(session, loaded);
    const description = await describeDataset(session, prepared);
    return {
      spec: { file: loaded.file, name: loaded.spec.name, task: loaded.spec.task },
      ...description,
    };
  } finally {
    session.close();
  }
}
