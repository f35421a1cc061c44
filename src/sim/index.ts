export * from './BinanceReplayServer.js';
export * from './binanceRecording.js';
