/**
 * The demo page's browser script (inlined; allowed by hash in the CSP): the
 * monthly bar chart and the timeline, whose alerts, deployments and retrains
 * are markers on a hidden 0–1 axis above the cost lines, with a dashed
 * vertical line each and canary days shaded (a small inline plugin).
 */
export const DEMO_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var cur = data.currency;
  var FROZEN = '#718096', FLYWHEEL = '#2b6cb0', CHAMPION = '#1f7a4d', ALERT = '#a3312b', RETRAIN = '#805ad5';
  var ACTION = { 'champion': '#1f7a4d', 'canary.start': '#dd6b20', 'canary.promoted': '#1f7a4d',
    'canary.rolled_back': '#a3312b', 'retrain.held': '#805ad5', 'retrain.refused': '#805ad5' };
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function el(id) { return document.getElementById(id); }
  function cost(v) { return typeof v === 'number' ? v.toFixed(4) + ' ' + cur : 'no labels'; }
  var m = data.months;
  if (el('chart-months') && m.labels.length > 0) {
    new Chart(el('chart-months'), { type: 'bar',
      data: { labels: m.labels, datasets: [
        { label: 'frozen (first champion)', data: m.frozen, backgroundColor: FROZEN },
        { label: 'flywheel (served)', data: m.flywheel, backgroundColor: FLYWHEEL }] },
      options: { plugins: { tooltip: { callbacks: {
          label: function (c) { return c.dataset.label + ': ' + cost(c.parsed.y) + ' per decision'; },
          footer: function (items) { return 'n = ' + m.labelled[items[0].dataIndex].toLocaleString('en-US') + ' labelled decisions'; } } } },
        scales: { x: { title: { display: true, text: 'month' } },
          y: { beginAtZero: true, title: { display: true, text: 'cost per decision (' + cur + ')' } } } } });
  }
  var t = data.timeline;
  if (el('chart-timeline') && t.days > 0) {
    var start = Date.parse(t.start + 'T00:00:00Z');
    var dayOf = function (x) { return new Date(start + Math.floor(x) * 864e5).toISOString().slice(0, 10); };
    var deployColours = t.deployments.map(function (d) { return ACTION[d.action] || FLYWHEEL; });
    var costLine = function (label, points, colour, width) {
      return { label: label, data: points, borderColor: colour, backgroundColor: colour, borderWidth: width,
        pointRadius: 0, pointHitRadius: 4, pointStyle: 'line', showLine: true, fill: false, yAxisID: 'y' };
    };
    var markers = function (label, points, style, colour) {
      return { label: label, data: points, pointStyle: style, pointRadius: 7, pointHoverRadius: 9,
        backgroundColor: colour, borderColor: colour, showLine: false, yAxisID: 'ev' };
    };
    var datasets = [
      costLine('frozen, 7-day mean', t.frozen7, FROZEN, 2.5),
      costLine('flywheel, 7-day mean', t.flywheel7, FLYWHEEL, 2.5),
      costLine('frozen, daily', t.frozen, 'rgba(113,128,150,0.35)', 1),
      costLine('flywheel, daily', t.flywheel, 'rgba(43,108,176,0.35)', 1),
      { label: 'champion version', data: t.champion, borderColor: CHAMPION, backgroundColor: CHAMPION, borderWidth: 2,
        borderDash: [6, 3], stepped: true, pointRadius: 0, pointHitRadius: 4, pointStyle: 'line', showLine: true,
        fill: false, yAxisID: 'y1' },
      markers('alerts', t.alerts, 'triangle', ALERT),
      markers('deployments', t.deployments, 'rectRot', deployColours),
      markers('retrains', t.retrains, 'circle', RETRAIN)
    ];
    var eventLines = { id: 'demoEventLines', beforeDatasetsDraw: function (ch) {
      var x = ch.scales.x, area = ch.chartArea, g = ch.ctx;
      g.save();
      g.fillStyle = 'rgba(221,107,32,0.10)';
      t.canary.forEach(function (c) {
        var a = x.getPixelForValue(c.x), b = x.getPixelForValue(c.x + 1);
        g.fillRect(a, area.top, b - a, area.bottom - area.top);
      });
      g.lineWidth = 1;
      g.setLineDash([3, 3]);
      var rule = function (e, colour) {
        var px = x.getPixelForValue(e.x);
        g.strokeStyle = colour;
        g.beginPath(); g.moveTo(px, area.top); g.lineTo(px, area.bottom); g.stroke();
      };
      t.alerts.forEach(function (e) { rule(e, 'rgba(163,49,43,0.45)'); });
      t.deployments.forEach(function (e, i) { rule(e, deployColours[i]); });
      g.restore();
    } };
    new Chart(el('chart-timeline'), { type: 'scatter', data: { datasets: datasets }, plugins: [eventLines],
      options: { interaction: { mode: 'nearest', intersect: false },
        plugins: { legend: { labels: { usePointStyle: true } }, tooltip: { callbacks: {
          title: function (items) { var r = items[0].raw; return r.t || dayOf(r.x); },
          label: function (c) {
            var r = c.raw;
            if (r.text) return r.text;
            if (c.dataset.yAxisID === 'y1') return 'champion: version ' + r.y + (typeof r.canary === 'number' ? '; canary at ' + r.canary + '%' : '');
            return c.dataset.label + ': ' + cost(r.y) + ' per decision';
          } } } },
        scales: {
          x: { type: 'linear', min: 0, max: t.days, ticks: { stepSize: t.days > 21 ? 7 : 1, callback: dayOf },
            title: { display: true, text: 'day (replay time, UTC)' } },
          y: { beginAtZero: true, grace: '35%', title: { display: true, text: 'cost per decision (' + cur + ')' } },
          y1: { position: 'right', beginAtZero: true, suggestedMax: t.maxVersion + 1, ticks: { stepSize: 1, precision: 0 },
            grid: { drawOnChartArea: false }, title: { display: true, text: 'champion version' } },
          ev: { type: 'linear', display: false, min: 0, max: 1 } } } });
  }
  document.body.setAttribute('data-charts-ready', 'true');
})();
`;
