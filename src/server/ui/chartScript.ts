/**
 * The chart page's own script (plain browser JavaScript, no build step). It
 * reads `window.__UTP_CHART` ({ mode: 'app' | 'browser', symbol, timeframe,
 * bars }), calls UTP's read-only tools (through the MCP App bridge in app
 * mode, `/api/tools/<name>` in browser mode), draws candles with
 * lightweight-charts (`window.LightweightCharts`), structure markers, zone and
 * position price lines, and exposes what it drew on `window.__utpChart` (for
 * tests and debugging; `__utpChart.refresh()` refetches at once).
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var cfg = window.__UTP_CHART || {};
  var LWC = window.LightweightCharts;
  var state = { symbol: cfg.symbol || 'BTCUSD', timeframe: cfg.timeframe || 'M1', bars: cfg.bars || 200 };
  var info = window.__utpChart = { mode: cfg.mode, shown: null, ready: false, candles: 0, markers: 0, priceLines: 0, refreshes: 0, error: null };
  var el = function (id) { return document.getElementById(id); };
  var chart = LWC.createChart(el('chart'), {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#0f1116' }, textColor: '#c9d1d9' },
    grid: { vertLines: { color: '#1c2230' }, horzLines: { color: '#1c2230' } },
    timeScale: { timeVisible: true, secondsVisible: state.timeframe === 'S1' },
  });
  var series = chart.addSeries(LWC.CandlestickSeries, {
    upColor: '#26a69a', downColor: '#ef5350', borderUpColor: '#26a69a', borderDownColor: '#ef5350', wickUpColor: '#26a69a', wickDownColor: '#ef5350',
  });
  var markers = LWC.createSeriesMarkers(series, []);
  var lines = [];
  var app = null;

  function token() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash || '');
    return m ? decodeURIComponent(m[1]) : null;
  }

  function callTool(name, args) {
    if (app) {
      return app.callServerTool({ name: name, arguments: args }).then(function (r) {
        if (r.isError) throw new Error((r.content && r.content[0] && r.content[0].text) || name + ' failed');
        return r.structuredContent;
      });
    }
    var q = Object.keys(args).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(args[k]); }).join('&');
    var headers = {};
    var t = token();
    if (t) headers.authorization = 'Bearer ' + t;
    return fetch('/api/tools/' + name + (q ? '?' + q : ''), { headers: headers }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.error || name + ' failed: HTTP ' + res.status);
        return body;
      });
    });
  }

  function soft(p) { return p.then(function (v) { return v; }, function (e) { return { __error: String(e && e.message || e) }; }); }

  function barTime(ms, candles) {
    var t = null;
    for (var i = 0; i < candles.length; i++) { if (candles[i].openTime <= ms) t = candles[i].openTime; else break; }
    return t === null ? null : Math.floor(t / 1000);
  }

  function activeZones(events) {
    var ended = {};
    events.forEach(function (e) {
      if (e.kind === 'order_block_mitigated' || e.kind === 'fvg_filled') e.refs.forEach(function (r) { ended[r] = true; });
    });
    return events.filter(function (e) { return (e.kind === 'order_block' || e.kind === 'fvg') && !ended[e.id] && e.top !== null && e.bottom !== null; }).slice(-6);
  }

  function fmt(n) { return n === null || n === undefined ? 'n/a' : (Math.abs(n) >= 100 ? n.toFixed(2) : n.toPrecision(6)); }

  function age(ms) {
    if (ms === null || ms === undefined) return 'n/a';
    var s = ms / 1000;
    return s < 120 ? Math.round(s) + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' d';
  }

  function render(d) {
    var candles = d.candles || [];
    var key = d.symbol + ' ' + d.timeframe;
    series.setData(candles.map(function (c) { return { time: Math.floor(c.openTime / 1000), open: c.open, high: c.high, low: c.low, close: c.close }; }));
    var events = d.structure || [];
    var ms = [];
    events.forEach(function (e) {
      if (e.kind !== 'bos' && e.kind !== 'choch' && e.kind !== 'liquidity_sweep') return;
      var t = barTime(e.confirmedAtMs - 1, candles);
      if (t === null) return;
      var up = e.direction === 'bullish';
      ms.push({ time: t, position: up ? 'belowBar' : 'aboveBar', color: up ? '#4caf50' : '#ff7043', shape: e.kind === 'liquidity_sweep' ? 'circle' : up ? 'arrowUp' : 'arrowDown', text: e.kind === 'liquidity_sweep' ? 'SWEEP' : e.kind.toUpperCase() });
    });
    ms.sort(function (a, b) { return a.time - b.time; });
    markers.setMarkers(ms);
    lines.forEach(function (l) { series.removePriceLine(l); });
    lines = [];
    var add = function (price, color, title, style) { if (price !== null && price !== undefined) lines.push(series.createPriceLine({ price: price, color: color, lineWidth: 1, lineStyle: style, axisLabelVisible: true, title: title })); };
    activeZones(events).forEach(function (z) {
      var color = z.direction === 'bullish' ? 'rgba(76,175,80,0.8)' : 'rgba(255,112,67,0.8)';
      var name = z.kind === 'fvg' ? 'FVG' : 'OB';
      add(z.top, color, name + ' top', 2);
      add(z.bottom, color, name + ' bottom', 2);
    });
    (d.positions || []).forEach(function (p) {
      add(p.openPrice, '#42a5f5', p.side.toUpperCase() + ' ' + p.volume + ' #' + p.ticket, 0);
      add(p.sl, '#ef5350', 'SL #' + p.ticket, 1);
      add(p.tp, '#26a69a', 'TP #' + p.ticket, 1);
    });
    var gaps = d.gaps ? d.gaps.open.length + d.gaps.unfillable.length : 0;
    el('title').textContent = d.symbol + ' ' + d.timeframe + (d.trend ? ' | trend ' + d.trend : '');
    el('meta').textContent = [
      'asOf ' + (d.asOf || 'n/a'),
      'age ' + age(d.ageMs),
      'offset ' + (d.offset === null || d.offset === undefined ? 'n/a' : fmt(d.offset)),
      'gaps ' + gaps,
      (d.sources || []).map(function (s) { return s.feed + ':' + s.state; }).join(' '),
    ].join(' | ');
    el('notes').textContent = [d.structureNote, d.positionsNote, d.offsetNote].filter(Boolean).join(' | ');
    if (info.shown !== key) { chart.timeScale().fitContent(); info.shown = key; }
    info.candles = candles.length;
    info.markers = ms.length;
    info.priceLines = lines.length;
    info.ready = true;
    info.error = null;
  }

  function refresh() {
    var a = { symbol: state.symbol, timeframe: state.timeframe };
    var structural = ['M1', 'M5', 'M15', 'H1', 'H4'].indexOf(state.timeframe) >= 0;
    return Promise.all([
      callTool('get_candles', { symbol: state.symbol, timeframe: state.timeframe, limit: state.bars }),
      structural ? soft(callTool('get_structure', { symbol: state.symbol, timeframe: state.timeframe, limit: 1000 })) : Promise.resolve({ __error: 'no structure on ' + state.timeframe }),
      soft(callTool('get_positions', { symbol: state.symbol })),
      soft(callTool('get_offsets', {})),
    ]).then(function (r) {
      var c = r[0], s = r[1], p = r[2], o = r[3];
      var first = c.candles.length ? c.candles[0].openTime : 0;
      var off = o.__error ? null : (o.offsets || []).filter(function (x) { return x.symbol === c.symbol; })[0];
      info.refreshes++;
      render({
        symbol: c.symbol, timeframe: a.timeframe, candles: c.candles, asOf: c.asOf, sources: c.sources, gaps: c.gaps,
        ageMs: c.asOf ? Math.max(0, Date.now() - Date.parse(c.asOf)) : null,
        structure: s.__error ? [] : s.events.filter(function (e) { return e.confirmedAtMs >= first; }),
        trend: s.__error ? null : s.trend, structureNote: s.__error || null,
        positions: p.__error ? [] : p.positions, positionsNote: p.__error || p.reason || null,
        offset: off ? off.offset : null, offsetNote: o.__error || (off && off.reason) || null,
      });
    }).catch(function (e) { info.error = String(e && e.message || e); el('notes').textContent = info.error; });
  }

  info.refresh = refresh;

  function start() {
    setInterval(refresh, cfg.mode === 'app' ? 15000 : 5000);
    if (cfg.mode !== 'app') return refresh();
    var Ext = window.McpExtApps;
    app = new Ext.App({ name: 'utp-chart', version: '1' }, {}, { autoResize: true });
    app.ontoolinput = function (p) {
      var x = p.arguments || {};
      if (x.symbol) state.symbol = String(x.symbol).toUpperCase();
      if (x.timeframe) state.timeframe = x.timeframe;
      if (x.bars) state.bars = x.bars;
    };
    app.ontoolresult = function (r) {
      if (r.structuredContent && r.structuredContent.candles) {
        state.symbol = r.structuredContent.symbol; state.timeframe = r.structuredContent.timeframe;
        render(r.structuredContent);
      }
    };
    return app.connect().catch(function (e) { info.error = 'app bridge: ' + (e && e.message || e); el('notes').textContent = info.error; });
  }
  start();
})();
`;
