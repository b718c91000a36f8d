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
