// `npm run bench`: every budget of DESIGN.md section 9 that exists so far, as ratios against a floor measured in the same run.
import os from 'node:os';
import { recordedFrames } from './frames.js';
import { fullPipeline, parseOnly } from './ingest.bench.js';
import { mcpBench } from './mcp.bench.js';
import { wsLatency } from './wsLatency.bench.js';
import { analysisBench } from './analysis.bench.js';
import { decisionBench } from './decision.bench.js';
import { bridgeLatency } from './bridgeLatency.bench.js';
import { indicatorBench } from './indicators.bench.js';
import { structureBench } from './structure.bench.js';
import { parquetBench } from './parquet.bench.js';
import { accessBench, accessLines } from './access.bench.js';
import { processRssBench, processRssLines } from './processRss.bench.js';

const LOOPS = Number(process.env.UTP_BENCH_LOOPS ?? 40);
const ROUNDS = Number(process.env.UTP_BENCH_ROUNDS ?? 3);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`UTP bench — node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.arch()}`);
  const frames = await recordedFrames(LOOPS);
  console.log(`\n[ingest] ${fmt(frames.length)} real BTCUSDT aggTrade frames (${LOOPS} passes over the shipped recording), best of ${ROUNDS} rounds`);
  let floor = 0;
  let full = 0;
  let stored = 0;
  for (let r = 0; r < ROUNDS; r++) {
    floor = Math.max(floor, parseOnly(frames).perSecond);
    const run = await fullPipeline(frames);
    full = Math.max(full, run.perSecond);
    stored = run.stored;
  }
  if (stored !== frames.length) throw new Error(`stored ${stored} ticks, expected ${frames.length}`);
  const ratio = full / floor;
  console.log(`  floor  JSON.parse only                                   ${fmt(floor).padStart(10)} frames/s`);
  console.log(`  full   map + validate + 7 timeframes + bus + SQLite WAL  ${fmt(full).padStart(10)} ticks/s  (all ${fmt(stored)} stored)`);
  console.log(`  ratio  ${ratio.toFixed(2)}x the floor   budget >= 0.50x (goal 1.0x)   ${ratio >= 0.5 ? 'PASS' : 'MISS'}`);

  const mcp = await mcpBench();
  const r = mcp.stateP50 / mcp.echoP50;
  console.log(`\n[mcp] in-process v2 client, p50 of 2,000 calls each`);
  console.log(`  floor  SDK echo tool                      ${mcp.echoP50.toFixed(3).padStart(8)} ms`);
  console.log(`  tool   get_market_state                   ${mcp.stateP50.toFixed(3).padStart(8)} ms`);
  console.log(`  ratio  ${r.toFixed(2)}x the echo round trip   budget <= 1.30x   ${r <= 1.3 ? 'PASS' : 'MISS'}`);
  console.log(`\n[multi-timeframe] get_multi_timeframe, 5 timeframes x 500 bars (${mcp.mtfBars} candles) over MCP`);
  console.log(`  p50 ${mcp.mtfP50.toFixed(2)} ms   p99 ${mcp.mtfP99.toFixed(2)} ms   budget p50 <= 5 ms   ${mcp.mtfP50 <= 5 ? 'PASS' : 'MISS'}`);

  const ws = await wsLatency();
  console.log(`\n[ws latency] ${fmt(ws.frames)} real aggTrade frames paced at ${fmt(ws.rate)}/s over loopback, 2 redundant connections merged`);
  console.log(`  frame sent -> tick delivered   p50 ${ws.p50Ms.toFixed(3)} ms   p99 ${ws.p99Ms.toFixed(3)} ms   max ${ws.maxMs.toFixed(3)} ms`);
  console.log(`  failover  primary cut -> next tick ${ws.failoverMs.toFixed(3)} ms   lost ${ws.lost}, doubled ${ws.duplicates}`);

  console.log(`\n[indicators] update cost per candle on real candles, against the textbook reference loop over the same candles`);
  for (const row of await indicatorBench()) {
    console.log(`  ${row.name.padEnd(34)} add ${row.perCandleNs.toFixed(0).padStart(4)} ns   reference ${row.referenceNs.toFixed(0).padStart(4)} ns   ratio ${(row.perCandleNs / row.referenceNs).toFixed(2)}x`);
  }
  const st = await structureBench();
  console.log(`\n[structure] causal detector over ${fmt(st.bars)} real bars: ${fmt(st.barsPerSecond)} bars/s`);
  const an = await analysisBench();
  console.log(`\n[analyze_market] 5 timeframes of real candles, tool handler   p50 ${an.tool.p50.toFixed(2)} ms   p99 ${an.tool.p99.toFixed(2)} ms   budget < 50 ms   ${an.tool.p99 < 50 ? 'PASS' : 'MISS'}`);
  const dec = await decisionBench();
  console.log(`\n[decision] tick -> engine decision in process over ${fmt(dec.ticks)} ticks   p50 ${dec.p50.toFixed(4)} ms   p99 ${dec.p99.toFixed(4)} ms   budget p99 <= 1 ms   ${dec.p99 <= 1 ? 'PASS' : 'MISS'}`);
  const br = await bridgeLatency();
  console.log(`\n[bridge] WS frame in -> MT5 bridge command at the terminal, loopback, ${fmt(br.rate)} frames/s, ${fmt(br.commands)} commands (${Object.entries(br.byType).map(([k, v]) => `${k} ${v}`).join(', ')}), ${br.rejected} rejected`);
  console.log(`  floor  frame -> fused tick (feed + pipeline)   p50 ${br.fusedP50Ms.toFixed(3)} ms   p99 ${br.fusedP99Ms.toFixed(3)} ms`);
  console.log(`  venue  command round trip (bridge + terminal)  p50 ${br.rttP50Ms.toFixed(3)} ms   p99 ${br.rttP99Ms.toFixed(3)} ms`);
  console.log(`  chain  frame -> command at the terminal         p50 ${br.p50Ms.toFixed(3)} ms   p99 ${br.p99Ms.toFixed(3)} ms   max ${br.maxMs.toFixed(3)} ms`);
  console.log(`  ratio  p99 ${(br.p99Ms / 5).toFixed(2)}x the budget, ${(br.p99Ms / br.fusedP99Ms).toFixed(2)}x the floor's p99   budget p99 <= 5 ms   ${br.p99Ms <= 5 ? 'PASS' : 'MISS'}`);

  console.log(`\n[ram buffer] a whole UTP in a fresh process (dist/, as \`utp start\` runs) with 3 symbols x 3 h x 100 ticks/s in RAM`);
  for (const line of processRssLines(await processRssBench())) console.log(`  ${line}`);
  console.log(`\n[access] 10-day M5 query across the archive and SQLite`);
  for (const line of accessLines(await accessBench())) console.log(`  ${line}`);
  console.log(`\n[parquet] the same recorded ticks as Parquet (writers compared) against JSON lines; budget >= 8x smaller`);
  await parquetBench();
}

await main();
