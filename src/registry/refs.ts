/**
 * Names and references in the registry: model names and aliases are
 * identifiers; a reference is `name`, `name@3`, `name@v3` or `name@alias`.
 * Also the actor and reason every change records. Malformed input is a USAGE
 * error that never echoes what it was given.
 */
import { FlywheelError } from '../errors.js';
import { displayId } from '../store/index.js';

/** The alias the server answers with; promotion to it requires a blessing. */
export const CHAMPION = 'champion';
/** The alias a running canary holds; only the canary operations move it. */
export const CANARY = 'canary';

const MODEL_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const ALIAS_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const VERSION = /^v?([1-9][0-9]{0,8})$/;
/** What an alias may not look like, so `name@v3` is never ambiguous. */
const VERSION_LIKE = /^v?[0-9]+$/;

/** What a reference points at: one version, or whatever an alias holds. */
export type ModelRef =
  | { readonly name: string; readonly version: number }
  | { readonly name: string; readonly alias: string };

export function assertModelName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new FlywheelError('USAGE', 'a model name must be an identifier', {
      hint: 'start with a letter or _, then letters, digits, _ or -, at most 128 characters',
    });
  }
}

export function assertAliasName(alias: unknown): asserts alias is string {
  if (typeof alias !== 'string' || !ALIAS_NAME.test(alias) || VERSION_LIKE.test(alias)) {
    throw new FlywheelError('USAGE', 'an alias must be an identifier that is not a version', {
      hint: 'start with a letter or _, then letters, digits, _ or -, at most 64 characters (not v1, v2, …)',
    });
  }
}

export function assertVersion(version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new FlywheelError('USAGE', 'a model version must be a positive integer');
  }
}

/**
 * Parses a model reference; a bare name means its champion.
 *
 * @example
 * parseModelRef('churn@3');        // { name: 'churn', version: 3 }
 * parseModelRef('churn@v3');       // { name: 'churn', version: 3 }
 * parseModelRef('churn@staging');  // { name: 'churn', alias: 'staging' }
 * parseModelRef('churn');          // { name: 'churn', alias: 'champion' }
 */
export function parseModelRef(ref: unknown): ModelRef {
  const usage = () =>
    new FlywheelError(
      'USAGE',
      `${typeof ref === 'string' ? displayId(ref) : 'the reference'} is not a model reference`,
      {
        hint: 'expected NAME, NAME@VERSION, NAME@vVERSION or NAME@ALIAS, e.g. churn@3, churn@champion',
      },
    );
  if (typeof ref !== 'string') throw usage();
  const parts = ref.split('@');
  if (parts.length > 2 || !MODEL_NAME.test(parts[0]!)) throw usage();
  const name = parts[0]!;
  if (parts.length === 1) return { name, alias: CHAMPION };
  const selector = parts[1]!;
  const version = VERSION.exec(selector);
  if (version) return { name, version: Number(version[1]) };
  if (!ALIAS_NAME.test(selector) || VERSION_LIKE.test(selector)) throw usage();
  return { name, alias: selector };
}

/** `name@version`, the form served predictions and the audit log use. */
export function formatVersionRef(name: string, version: number): string {
  return `${name}@${version}`;
}

/** Who acted: a non-empty name, recorded in the alias history and the audit log. */
export function assertActor(actor: unknown): asserts actor is string {
  if (typeof actor !== 'string' || actor.trim().length === 0 || actor.length > 200) {
    throw new FlywheelError('USAGE', 'an actor (who is acting) is required', {
      hint: 'set FLYWHEEL_ACTOR or USER',
    });
  }
}

/** Why: every move of an alias says why it was made. */
export function assertReason(reason: unknown): asserts reason is string {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 4000) {
    throw new FlywheelError('USAGE', 'a reason is required (1 to 4000 characters)', {
      hint: 'say why, e.g. --reason "beats v2 on business cost in the gate"',
    });
  }
}
