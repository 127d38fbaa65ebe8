/** The objectives by name. */
import { binaryGradients, binaryObjective } from './binary.js';
import { multiclassGradients, multiclassObjective } from './multiclass.js';
import type { GradientKernel, Objective, ObjectiveName } from './objective.js';
import { quantileGradients, quantileObjective } from './quantile.js';
import { regressionGradients, regressionObjective } from './regression.js';

export type { GradientKernel, Objective, ObjectiveName } from './objective.js';

/** Every objective's gradient kernel; Objective.kernel indexes this list. */
export const GRADIENT_KERNELS: readonly GradientKernel[] = [
  binaryGradients,
  multiclassGradients,
  regressionGradients,
  quantileGradients,
];

export function createObjective(name: ObjectiveName, numClass: number, alpha: number): Objective {
  switch (name) {
    case 'binary':
      return binaryObjective();
    case 'multiclass':
      return multiclassObjective(numClass);
    case 'regression':
      return regressionObjective();
    case 'quantile':
      return quantileObjective(alpha);
  }
}
