/**
 * The report's browser script (inlined; allowed by hash in the CSP): draws
 * the charts with Chart.js from the page's JSON block. Plain ES2017, no
 * modules, no network.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#718096'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function el(id) { return document.getElementById(id); }
  function lines(id, series, xTitle, yTitle, extra) {
    if (!el(id) || !series) return;
    var names = Object.keys(series);
    var datasets = names.map(function (name, i) {
      return { label: name, data: series[name], borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
        pointRadius: 0, borderWidth: 2, showLine: true, fill: false };
    });
    (extra || []).forEach(function (d) { datasets.push(d); });
    new Chart(el(id), { type: 'scatter', data: { datasets: datasets },
      options: { scales: { x: { title: { display: true, text: xTitle } }, y: { title: { display: true, text: yTitle } } } } });
  }
  var c = data.curves || {};
  lines('chart-roc', c.roc, 'false positive rate', 'true positive rate',
    [{ label: 'chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#a0aec0', borderDash: [4, 4], pointRadius: 0, showLine: true }]);
  lines('chart-pr', c.pr, 'recall', 'precision');
  if (c.reliability && el('chart-reliability')) {
    lines('chart-reliability', { model: c.reliability.map(function (p) { return { x: p.predicted, y: p.observed }; }) },
      'mean predicted probability', 'observed positive rate',
      [{ label: 'perfect calibration', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#a0aec0', borderDash: [4, 4], pointRadius: 0, showLine: true }]);
  }
  if (c.cost && el('chart-cost')) {
    var chosen = [];
    if (typeof c.chosenThreshold === 'number') {
      var best = c.cost.reduce(function (a, p) { return Math.abs(p.threshold - c.chosenThreshold) < Math.abs(a.threshold - c.chosenThreshold) ? p : a; }, c.cost[0]);
      chosen.push({ label: 'chosen threshold', data: [{ x: best.threshold, y: best.cost }], borderColor: '#a3312b', backgroundColor: '#a3312b', pointRadius: 6, showLine: false });
    }
    lines('chart-cost', { 'cost per decision': c.cost.map(function (p) { return { x: p.threshold, y: p.cost }; }) },
      'threshold', 'cost per decision (' + data.currency + ')', chosen);
  }
  if (data.slices && el('chart-slices')) {
    var rows = data.slices.rows.slice(0, 30);
    new Chart(el('chart-slices'), { type: 'bar',
      data: { labels: rows.map(function (r) { return r.value; }),
        datasets: [{ label: data.slices.metric, data: rows.map(function (r) { return r.metric.estimate; }),
          backgroundColor: rows.map(function (r) { return r.flagged ? '#a3312b' : '#2b6cb0'; }) }] },
      options: { plugins: { legend: { display: false } } } });
  }
  var lc = data.learningCurve;
  if (lc && el('chart-learning-curve')) {
    var curve = [{ label: 'measured (validation)', data: lc.measured, borderColor: '#2b6cb0', backgroundColor: '#2b6cb0',
      pointRadius: 5, showLine: false }];
    if (lc.fitted.length > 0) {
      curve.push({ label: 'fitted power law', data: lc.fitted, borderColor: '#dd6b20', backgroundColor: '#dd6b20',
        pointRadius: 0, pointStyle: 'line', borderWidth: 2, showLine: true, fill: false });
    }
    if (lc.doubled) {
      curve.push({ label: 'predicted at 2\u00d7 rows', data: [lc.doubled], borderColor: '#dd6b20', backgroundColor: '#fff',
        pointRadius: 6, pointStyle: 'rectRot', borderWidth: 2, showLine: false });
    }
    new Chart(el('chart-learning-curve'), { type: 'scatter', data: { datasets: curve },
      options: { plugins: { legend: { labels: { usePointStyle: true } } },
        scales: { x: { type: 'logarithmic', title: { display: true, text: 'training rows (log scale)' } },
        y: { title: { display: true, text: lc.metric + ' (validation)' } } } } });
  }
  document.body.setAttribute('data-charts-ready', 'true');
})();
`;
