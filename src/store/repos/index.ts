export * from './TickRepo.js';
export * from './CandleRepo.js';
export * from './EventRepo.js';
export * from './ImportRepo.js';
export * from './tickIdentity.js';
