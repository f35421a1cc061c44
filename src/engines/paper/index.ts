export * from './PaperVenue.js';
export * from './rules.js';
export * from './config.js';
