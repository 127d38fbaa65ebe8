/** Step 3, data: point-in-time features over event tables, one definition offline and online. */
export {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';
export { durationMicros, durationSeconds, parseDuration } from './duration.js';
export {
  contentId,
  type EventProblem,
  type EventValues,
  entityKeyText,
  eventTimeMs,
  type OnlineEvent,
  parseEvents,
} from './event-input.js';
export { type EventPage, eventPages, stageEvents } from './event-rows.js';
export { createEventViews, type EventView, eventViewName } from './event-views.js';
export {
  mergeOnlineDefinitions,
  NO_ONLINE_FEATURES,
  type OnlineDefinitions,
  type OnlineEventTable,
  type OnlineFeature,
  onlineDefinitions,
} from './online-definitions.js';
export { EmbeddedOnlineStore } from './online-embedded.js';
export {
  type FeatureLookup,
  type FreshnessEntry,
  type IngestReport,
  OnlineFeatures,
  type OnlineFeaturesOptions,
  type TableCounters,
} from './online-features.js';
export { RedisOnlineStore } from './online-redis.js';
export type { OnlineStore, StoredEvent, WriteOutcome } from './online-store.js';
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
export {
  type Aggregate,
  aggregateWindow,
  inWindow,
  type WindowEvent,
  type WindowSpec,
} from './window-aggregate.js';
