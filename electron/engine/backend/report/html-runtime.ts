// The script of an HTML report: draws the charts from the embedded data with the inlined plotly,
// makes the runs table sortable and paged, and offers the PDF/Markdown exporters two hooks:
//   window.__runsightReady      a Promise resolved once every chart is drawn
//   window.__runsightStatic()   replaces each chart by a PNG of itself (printing a WebGL
//                               parallel-coordinates plot gives a blank box otherwise) and returns
//                               the PNG data URLs by chart id
// Every store string reaches the DOM through textContent or plotly's own text handling, never as
// markup. Plain ES2020 in a string: it runs in the report, not in Runsight. Its SHA-256 goes into
// the report's CSP, so it is the only inline script that may run.
export const REPORT_RUNTIME = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('runsight-data').textContent);
  var COLORS = ['#4e79a7','#f28e2b','#59a14f','#e15759','#76b7b2','#b07aa1','#edc948','#9c755f','#ff9da7','#17becf','#8c6d31','#bab0ac'];
  var SCALE = 'Viridis';
  var PAGE = 50;

  // ---- runs table: click a header to sort (numbers numerically, missing last), pages of 50
  function setupTable(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var page = 0;
    var pager = document.getElementById(table.id + '-pager');
    function show() {
      var pages = Math.max(1, Math.ceil(rows.length / PAGE));
      if (page >= pages) page = pages - 1;
      rows.forEach(function (r, i) { r.classList.toggle('off-page', Math.floor(i / PAGE) !== page); });
      if (pager) {
        pager.querySelector('.page-info').textContent = 'rows ' + (page * PAGE + 1) + '–' + Math.min(rows.length, (page + 1) * PAGE) + ' of ' + rows.length;
        pager.querySelector('.prev').disabled = page === 0;
        pager.querySelector('.next').disabled = page >= pages - 1;
      }
    }
    if (pager) {
      pager.hidden = rows.length <= PAGE;
      pager.querySelector('.prev').addEventListener('click', function () { page--; show(); });
      pager.querySelector('.next').addEventListener('click', function () { page++; show(); });
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.setAttribute('aria-sort', 'none');
      function sort() {
        var desc = th.getAttribute('aria-sort') === 'ascending';
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        var keyed = rows.map(function (r, i) {
          var cell = r.cells[col];
          var v = cell ? cell.getAttribute('data-v') : null;
          var text = cell ? cell.textContent : '';
          return { r: r, i: i, n: v !== null && v !== '' && !isNaN(Number(v)) ? Number(v) : null, t: text };
        });
        keyed.sort(function (a, b) {
          var am = a.n === null && a.t === '', bm = b.n === null && b.t === '';
          if (am !== bm) return am ? 1 : -1;
          var c = a.n !== null && b.n !== null ? a.n - b.n : a.t < b.t ? -1 : a.t > b.t ? 1 : 0;
          return (desc ? -c : c) || a.i - b.i;
        });
        rows = keyed.map(function (k) { return k.r; });
        rows.forEach(function (r) { tbody.appendChild(r); });
        page = 0;
        show();
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
    show();
  }
  document.querySelectorAll('table.sortable').forEach(setupTable);

  // ---- charts
  var font = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#1f2328' };
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud'] };
  function num(v) { return v === null || v === undefined ? NaN : v; }
  function log10Axis(values) {
    var out = values.map(function (v) { return v !== null && v > 0 ? Math.log10(v) : NaN; });
    var finite = out.filter(function (v) { return isFinite(v); });
    var lo = Math.floor(Math.min.apply(null, finite)), hi = Math.ceil(Math.max.apply(null, finite));
    var tickvals = [], ticktext = [];
    for (var e = lo; e <= hi && finite.length; e++) { tickvals.push(e); ticktext.push(String(Math.pow(10, e))); }
    return { values: out, tickvals: tickvals, ticktext: ticktext };
  }
  // A run without a value on an axis is drawn on a "missing" tick below the axis (plotly drops a
  // line with a NaN anywhere, which would hide exactly the runs a reader should notice).
  function ticks(lo, hi) {
    var out = [];
    for (var i = 0; i <= 4; i++) out.push(lo + ((hi - lo) * i) / 4);
    return out;
  }
  function label(v) { return String(Number(v.toPrecision(4))); }
  function parcoords(c) {
    var dims = c.dimensions.map(function (d) {
      var missing = d.values.some(function (v) { return v === null; });
      var dim = { label: d.label };
      if (d.type === 'categorical') {
        var cats = d.categories.slice();
        var values = d.values.map(function (v) { return v === null ? cats.length : v; });
        if (missing) cats.push('(missing)');
        dim.values = values;
        dim.tickvals = cats.map(function (_, i) { return i; });
        dim.ticktext = cats;
        dim.range = [0, Math.max(1, cats.length - 1)];
        return dim;
      }
      var vals = d.values;
      var tickvals = null, ticktext = null;
      if (d.log) {
        var l = log10Axis(d.values);
        vals = l.values.map(function (v) { return isFinite(v) ? v : null; });
        tickvals = l.tickvals; ticktext = l.ticktext;
      }
      var finite = vals.filter(function (v) { return v !== null && isFinite(v); });
      missing = finite.length < vals.length;
      var lo = Math.min.apply(null, finite), hi = Math.max.apply(null, finite);
      if (!finite.length) { lo = 0; hi = 1; }
      if (missing) {
        var pad = hi > lo ? (hi - lo) * 0.12 : 1;
        var at = lo - pad;
        dim.values = vals.map(function (v) { return v === null || !isFinite(v) ? at : v; });
        dim.range = [at, hi];
        tickvals = (tickvals || ticks(lo, hi)).concat([at]);
        ticktext = (ticktext || ticks(lo, hi).map(label)).concat(['(missing)']);
      } else {
        dim.values = vals.map(num);
      }
      if (tickvals) { dim.tickvals = tickvals; dim.ticktext = ticktext; }
      if (d.brush) dim.constraintrange = d.brush.map(function (r) { return d.log ? [Math.log10(r[0]), Math.log10(r[1])] : r; });
      if (dim.constraintrange && dim.constraintrange.length === 1) dim.constraintrange = dim.constraintrange[0];
      return dim;
    });
    var line = c.color
      ? { color: c.color.values.map(num), colorscale: SCALE, showscale: true, colorbar: { title: { text: c.color.label } } }
      : { color: COLORS[0] };
    return { data: [{ type: 'parcoords', dimensions: dims, line: line, labelangle: -15 }], layout: { margin: { l: 60, r: 80, t: 60, b: 30 } } };
  }
  function axisType(a) {
    if (a.log) return 'log';
    return a.values.some(function (v) { return typeof v === 'string'; }) ? 'category' : undefined;
  }
  function scatter(c) {
    var names = data.runNames;
    var marker = c.color
      ? { size: 9, color: c.color.values.map(num), colorscale: SCALE, showscale: true, colorbar: { title: { text: c.color.label } } }
      : { size: 9, color: COLORS[0] };
    return {
      data: [{ type: 'scatter', mode: 'markers', x: c.x.values, y: c.y.values, text: names, hovertemplate: '%{text}<br>' + c.x.label.replace(/%/g, '%%') + ' = %{x}<br>' + c.y.label.replace(/%/g, '%%') + ' = %{y}<extra></extra>', marker: marker }],
      layout: { xaxis: { title: { text: c.x.label }, type: axisType(c.x) }, yaxis: { title: { text: c.y.label }, type: axisType(c.y) }, margin: { l: 70, r: 30, t: 20, b: 60 } },
    };
  }
  function ema(values, w) {
    var out = [], last = 0, debias = 0;
    for (var i = 0; i < values.length; i++) {
      var y = values[i];
      if (y === null || !isFinite(y)) { out.push(y); continue; }
      last = last * w + (1 - w) * y; debias = debias * w + (1 - w);
      out.push(w === 0 ? y : last / debias);
    }
    return out;
  }
  function curves(c, s) {
    var traces = [];
    s.runs.forEach(function (r, i) {
      var color = COLORS[i % COLORS.length];
      if (c.smoothing > 0) {
        traces.push({ type: 'scatter', mode: 'lines', x: r.x, y: r.y, name: r.runName, legendgroup: r.runId, showlegend: false, hoverinfo: 'skip', line: { color: color, width: 1 }, opacity: 0.25 });
      }
      traces.push({ type: 'scatter', mode: r.x.length < 3 ? 'lines+markers' : 'lines', x: r.x, y: c.smoothing > 0 ? ema(r.y, c.smoothing) : r.y, name: r.runName, legendgroup: r.runId, line: { color: color, width: 2 } });
    });
    var xTitle = c.x === 'step' ? 'step' : c.x === 'wall' ? 'time' : 'seconds since start';
    return {
      data: traces,
      layout: { xaxis: { title: { text: xTitle }, type: c.x === 'wall' ? 'date' : undefined }, yaxis: { title: { text: s.key }, type: c.logY ? 'log' : undefined }, margin: { l: 70, r: 30, t: 20, b: 60 }, legend: { orientation: 'h', y: -0.25 } },
    };
  }
  var figures = [];
  data.charts.forEach(function (c, i) {
    if (c.kind === 'curves') c.series.forEach(function (s, j) { figures.push({ id: 'chart-' + i + '-' + j, fig: curves(c, s) }); });
    else figures.push({ id: 'chart-' + i, fig: c.kind === 'parcoords' ? parcoords(c) : scatter(c) });
  });
  // One chart at a time, each after the browser has painted: the page (and the first chart)
  // shows at once instead of after every chart of a 1,000-run report has been built.
  function nextFrame() { return new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 0); }); }); }
  function draw(f) {
    var el = document.getElementById(f.id);
    if (!el || typeof Plotly === 'undefined') return Promise.resolve();
    f.fig.layout.font = font;
    f.fig.layout.paper_bgcolor = '#ffffff';
    f.fig.layout.plot_bgcolor = '#ffffff';
    f.fig.layout.height = el.clientHeight || 420;
    return Plotly.newPlot(el, f.fig.data, f.fig.layout, config).then(function () { el.setAttribute('data-drawn', 'true'); });
  }
  // SVG charts first: parallel coordinates are WebGL, whose first use costs a shader compile
  // (about a second in a software rasterizer) that should not hold the other charts back.
  var order = figures.filter(function (f) { return f.fig.data[0] && f.fig.data[0].type !== 'parcoords'; })
    .concat(figures.filter(function (f) { return !f.fig.data[0] || f.fig.data[0].type === 'parcoords'; }));
  window.__runsightReady = order.reduce(function (p, f) {
    return p.then(nextFrame).then(function () { return draw(f); });
  }, Promise.resolve()).then(function () { document.body.setAttribute('data-charts-ready', 'true'); return figures.length; });
  window.__runsightStatic = function () {
    return window.__runsightReady.then(function () {
      return Promise.all(figures.map(function (f) {
        var el = document.getElementById(f.id);
        if (!el) return null;
        var w = el.clientWidth || 900, h = el.clientHeight || 420;
        return Plotly.toImage(el, { format: 'png', width: w, height: h, scale: 2 }).then(function (url) {
          var img = document.createElement('img');
          img.src = url; img.alt = el.getAttribute('aria-label') || f.id; img.className = 'chart-image';
          img.width = w; img.height = h;
          Plotly.purge(el);
          el.replaceChildren(img);
          return [f.id, url];
        });
      })).then(function (pairs) {
        var out = {};
        pairs.forEach(function (p) { if (p) out[p[0]] = p[1]; });
        return out;
      });
    });
  };
})();`;
