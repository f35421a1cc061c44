export * from './PaperVenue.js';
export * from './rules.js';
