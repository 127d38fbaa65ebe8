/** Registers every built-in model kind with the model registry. */
import { priorKind, ruleKind } from './baselines/index.js';
import { registerModelKind } from './model-registry.js';

for (const kind of [priorKind, ruleKind]) registerModelKind(kind);
