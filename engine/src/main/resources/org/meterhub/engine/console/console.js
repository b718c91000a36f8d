// The console's only script: draws the meter chart with uPlot, keeps deadline countdowns ticking,
// and POSTs alarm steps to the API (same origin, so the browser sends Origin and the session cookie).
(function () {
  var el = document.getElementById('chart');
  var data = document.getElementById('series');
  if (el && data && window.uPlot) {
    var s = JSON.parse(data.textContent);
    var m3 = s.litres.map(function (l) { return l / 1000; }); // display only; exact litres are in the API
    var opts = {
      width: Math.max(600, Math.min(1200, window.innerWidth - 48)), height: 320,
      scales: { x: { time: true } },
      // Times on the axis in the utility's zone (billing days), not the browser's.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), el.dataset.zone); },
      series: [{}, { label: 'm³ per ' + el.dataset.step, stroke: '#1f3a5f', fill: 'rgba(31,58,95,0.15)', width: 1 }],
      axes: [{}, { label: 'm³' }],
      cursor: { drag: { x: true, y: false } }
    };
    window.meterChart = new uPlot(opts, [s.x, m3], el);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll('.countdown').forEach(function (c) {
      var d = Number(c.dataset.deadline) - now, a = Math.abs(d);
      var days = Math.floor(a / 86400000), h = Math.floor(a / 3600000) % 24, min = Math.floor(a / 60000) % 60;
      c.textContent = (d < 0 ? 'overdue ' : 'in ') + (days > 0 ? days + ' d ' : '') + h + ' h ' + min + ' min';
    });
  }
  setInterval(tick, 30000);

  document.querySelectorAll('form.step').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var url = f.dataset.url, note = f.querySelector('.note');
      if (note) url += '?note=' + encodeURIComponent(note.value);
      var err = f.parentNode.querySelector('.step-error');
      fetch(url, { method: 'POST', credentials: 'same-origin' }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.error || body.message || ('HTTP ' + r.status));
          location.reload();
        });
      }).catch(function (x) { if (err) err.textContent = x.message; });
    });
  });
})();

// The district page's chart: inlet and the customers' sum per day, with the customers' sum ± the
// meters' combined uncertainty as a band (uPlot's bands fill between series 3 and 4).
(function () {
  var el = document.getElementById('district-chart');
  var data = document.getElementById('district-series');
  if (!el || !data || !window.uPlot) return;
  var s = JSON.parse(data.textContent);
  function m3(l) { return l == null ? null : l / 1000; } // display only; the table below has exact m³
  var upper = s.customers_l.map(function (c, i) { return c == null ? null : (c + s.uncertainty_l[i]) / 1000; });
  var lower = s.customers_l.map(function (c, i) { return c == null ? null : (c - s.uncertainty_l[i]) / 1000; });
  var opts = {
    width: Math.max(600, Math.min(1200, window.innerWidth - 48)), height: 320,
    scales: { x: { time: true } },
    tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), el.dataset.zone); },
    series: [{},
      { label: 'inlet m³', stroke: '#b03a2e', width: 2, points: { show: true } },
      { label: 'customers m³', stroke: '#1f3a5f', width: 2, points: { show: true } },
      { label: 'customers + uncertainty', stroke: 'rgba(31,58,95,0.35)', dash: [4, 4], width: 1 },
      { label: 'customers − uncertainty', stroke: 'rgba(31,58,95,0.35)', dash: [4, 4], width: 1 }],
    bands: [{ series: [3, 4], fill: 'rgba(31,58,95,0.12)' }],
    axes: [{}, { label: 'm³ per day' }],
    cursor: { drag: { x: true, y: false } }
  };
  window.districtChart = new uPlot(opts, [s.x, s.inlet_l.map(m3), s.customers_l.map(m3), upper, lower], el);
})();
