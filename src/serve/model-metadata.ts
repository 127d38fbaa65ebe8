/**
 * A model's Open Inference Protocol v2 metadata: its inputs as tensors
 * (numbers as FP64; categories and ISO timestamps as BYTES) and its outputs
 * (score, decision and, for multiclass, the class probabilities).
 */
import type { ModelMetadata } from './host.js';
import type { Scorer } from './scorer.js';

/**
 * @example
 * modelMetadata('churn', ['3'], scorer).outputs; // [{ name: 'score', datatype: 'FP64', shape: [-1] }, …]
 */
export function modelMetadata(
  name: string,
  versions: readonly string[],
  scorer: Scorer,
): ModelMetadata {
  const { bundle } = scorer;
  const classes = scorer.model.classes ?? bundle.classes ?? [];
  const outputs: ModelMetadata['outputs'][number][] = [
    { name: 'score', datatype: 'FP64', shape: [-1] },
    {
      name: 'decision',
      datatype: bundle.task === 'binary' ? 'BOOL' : bundle.task === 'multiclass' ? 'BYTES' : 'FP64',
      shape: [-1],
    },
  ];
  if (bundle.task === 'multiclass') {
    outputs.push({ name: 'probabilities', datatype: 'FP64', shape: [-1, classes.length] });
  }
  return {
    name,
    versions,
    platform: 'flywheel',
    inputs: bundle.inputs.map((input) => ({
      name: input.name,
      datatype: input.type === 'numeric' ? 'FP64' : 'BYTES',
      shape: [-1],
    })),
    outputs,
  };
}
