// The structure detector on the shared streaming contract. Its closed inputs are final (a closed candle confirms
// events; taking them back would repaint), so replace is driven as a live feed drives it: open versions, then the close.
import { StructureDetector } from '../../src/pipeline/structure/index.js';
import { binanceM1, formingSeries } from './inputs.js';
import { testStreamingContract } from './streamingContract.js';

const h1 = formingSeries(await binanceM1());

testStreamingContract('structure (2/2 fractals) H1', () => new StructureDetector({ symbol: 'BTCUSD', timeframe: 'H1' }), h1.candles, {
  amend: h1.partial,
  closedInputsFinal: true,
});
