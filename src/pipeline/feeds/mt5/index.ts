/**
 * The MetaTrader 5 bridge: protocol schemas (mirroring
 * `schemas/mt5-bridge.schema.json`), the TCP bridge feed and its parts.
 */
export * from './schema.js';
export * from './types.js';
export { Mt5Bridge } from './Mt5Bridge.js';
export { parseEaLine, type LineOutcome } from './lines.js';
export { LineFramer } from './framing.js';
export { OffsetSchedule, type OffsetEntry } from './offsets.js';
export { TickDedupe, type DedupeSession } from './dedupe.js';
export { mapWireBar, mapWireTick, tickKey, tickFromRow, barFromRow, type TickRejectReason, type WireBar, type WireTick } from './mapping.js';
export { LinkClosedError, PendingRequests } from './requests.js';
export { Mt5Venue, commentForKey, type Mt5VenueBridge, type Mt5VenueOptions } from './Mt5Venue.js';
