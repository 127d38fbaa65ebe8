/** Step 3, data: point-in-time features over event tables, one definition offline and online. */
export {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';
export { durationMicros, durationSeconds, parseDuration } from './duration.js';
export { createEventViews, type EventView, eventViewName } from './event-views.js';
export { type AuditOptions, auditPointInTime } from './point-in-time-audit.js';
export {
  type AddPointInTimeOptions,
  addPointInTimeFeatures,
  type PointInTimeColumn,
} from './point-in-time-join.js';
export {
  type EventKey,
  type PointInTimeEvent,
  pointInTimeValue,
} from './point-in-time-value.js';
export type { PointInTimeArgs } from './resolve.js';
