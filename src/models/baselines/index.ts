/** Step 2, baselines: the prior and rules from the spec, always trained first. */
export { FittedPrior, Prior, type PriorParams, priorKind } from './prior.js';
export { FittedRule, Rule, type RuleParams, ruleKind } from './rule.js';
