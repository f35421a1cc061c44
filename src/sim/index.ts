export * from './BinanceReplayServer.js';
export * from './binanceRecording.js';
export * from './Mt5TerminalSim.js';
export * from './mt5SimData.js';
export * from './mt5SimTypes.js';
export * from './mt5SimExec.js';
