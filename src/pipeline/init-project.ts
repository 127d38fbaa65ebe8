/**
 * `flywheel init [dir] --example flights`: writes a ready project. The
 * flights example copies real data that ships in the `vega-datasets` npm
 * package (nothing is fetched from the network).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlywheelError } from '../errors.js';
import { customersCsv, generateCustomers } from '../governance/index.js';
import { SPEC_FILE_NAME } from '../spec/index.js';

export const EXAMPLES = ['flights', 'customers'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

export interface InitOptions {
  readonly dir?: string;
  readonly example?: string;
  /** Overwrite an existing flywheel.yaml. */
  readonly force?: boolean;
}

export interface InitResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly example: ExampleName | null;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the flights Parquet file inside the installed vega-datasets package. */
export function flightsParquetPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('vega-datasets');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return path.join(dir, 'data', 'flights-3m.parquet');
}

const TEMPLATE = `# yaml-language-server: $schema=https://flywheel.dev/schema/flywheel.schema.json
# A Flywheel framing spec. Fill in every TODO, then run \`flywheel check\`.
version: 1
name: my_project
task: binary            # binary | multiclass | regression
target:
  column: TODO          # the column the prediction is about
  positive: TODO > 0    # what counts as a positive
data:
  sources:
    main:
      path: data/TODO.csv
split:
  method: random
  seed: 42
business:
  decision: TODO what is done when the model says positive
  costs: { tp: 0, fp: 1, fn: 5, tn: 0 }
acceptance:
  metrics:
    roc_auc: { min: 0.7 }
`;

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Creates a project folder.
 *
 * @example
 * initProject({ dir: 'flights', example: 'flights' });
 */
export function initProject(options: InitOptions = {}): InitResult {
  const dir = path.resolve(options.dir ?? '.');
  if (options.example !== undefined && !(EXAMPLES as readonly string[]).includes(options.example)) {
    throw new FlywheelError(
      'USAGE',
      `unknown example "${options.example}"; examples are: ${EXAMPLES.join(', ')}`,
    );
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new FlywheelError('USAGE', `${options.dir} exists and is not a directory`);
  }
  const specFile = path.join(dir, SPEC_FILE_NAME);
  if (existsSync(specFile) && !options.force) {
    throw new FlywheelError(
      'CONFLICT',
      `${path.relative(process.cwd(), specFile) || specFile} already exists`,
      {
        hint: 'Use --force to overwrite it, or choose another directory.',
      },
    );
  }
  mkdirSync(dir, { recursive: true });
  if (options.example === undefined) {
    writeAtomic(specFile, TEMPLATE);
    return { dir, files: [SPEC_FILE_NAME], example: null };
  }
  const exampleDir = path.join(packageRoot, 'examples', options.example);
  const files = [SPEC_FILE_NAME];
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  if (options.example === 'customers') {
    writeAtomic(
      path.join(dir, 'data', 'customers.csv'),
      customersCsv(generateCustomers({ rows: CUSTOMER_ROWS, seed: CUSTOMER_SEED })),
    );
    files.push('data/customers.csv');
  } else {
    copyFlights(dir);
    files.push('data/flights-3m.parquet');
  }
  const spec = readFileSync(path.join(exampleDir, SPEC_FILE_NAME), 'utf8').replace(
    /^# yaml-language-server: \$schema=.*$/m,
    `# yaml-language-server: $schema=${path.relative(dir, path.join(packageRoot, 'schema', 'flywheel.schema.json'))}`,
  );
  const readme = path.join(dir, 'README.md');
  if (!existsSync(readme)) {
    writeAtomic(readme, readFileSync(path.join(exampleDir, 'README.md'), 'utf8'));
    files.push('README.md');
  }
  writeAtomic(specFile, spec);
  return { dir, files, example: options.example as ExampleName };
}

/** Rows and seed of the customers example table. */
export const CUSTOMER_ROWS = 20_000;
export const CUSTOMER_SEED = 7;

function copyFlights(dir: string): void {
  const source = flightsParquetPath();
  if (!existsSync(source)) {
    throw new FlywheelError(
      'DATA_NOT_FOUND',
      `the flights data is missing from the vega-datasets package (${source})`,
      {
        hint: 'Reinstall with `npm ci`.',
      },
    );
  }
  const dataFile = path.join(dir, 'data', 'flights-3m.parquet');
  const tmp = `${dataFile}.tmp-${process.pid}`;
  copyFileSync(source, tmp);
  renameSync(tmp, dataFile);
}
