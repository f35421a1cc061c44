export * from './TickRepo.js';
export * from './CandleRepo.js';
export * from './EventRepo.js';
export * from './ImportRepo.js';
export * from './StructureEventRepo.js';
export * from './tickIdentity.js';
export * from './AnalysisRepo.js';
export * from './DtmsActionRepo.js';
