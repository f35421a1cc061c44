/**
 * The pure part of the macro context (DESIGN.md puts macro under
 * engines/macro; the session calendar and the reading store have no engine
 * logic and live here): trading sessions, DST-aware, and the latest VIX, DXY
 * and US10Y readings from MT5 symbols or a JSON feed.
 */
export * from './sessions.js';
export * from './MacroStore.js';
