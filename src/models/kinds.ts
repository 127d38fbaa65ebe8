/** Registers every built-in model kind with the model registry. */
import { priorKind, ruleKind } from './baselines/index.js';
import { gbdtKind } from './gbdt/index.js';
import { logisticKind, ridgeKind } from './linear/index.js';
import { registerModelKind } from './model-registry.js';

for (const kind of [priorKind, ruleKind, logisticKind, ridgeKind, gbdtKind])
  registerModelKind(kind);
