// The rollcall's "yes" answers over time, drawn with uPlot (a WebJar served by Muster). The chart
// is an extra: when the library cannot load, the tally, the bar and the answer list still say it all.
import { h } from './dom.js';

const UPLOT = '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
let library;
const charts = new Set();

function load() {
  if (!library) {
    library = import(UPLOT).then((m) => m.default).catch(() => null);
  }
  return library;
}

/** Destroys the charts of the previous render (the detail view is rebuilt on every change). */
export function destroyCharts() {
  for (const { chart, observer } of charts) {
    observer.disconnect();
    chart.destroy();
  }
  charts.clear();
}

/**
 * A placeholder that becomes a step chart of the tally against the need.
 * points: [{at: epoch seconds, tally}] in time order, starting with the rollcall's start at 0.
 */
export function rollcallChart(points, need, nowSeconds, label) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  load().then((uPlot) => {
    if (!uPlot || !box.isConnected) {
      if (!uPlot) box.classList.add('no-chart');
      return;
    }
    const xs = points.map((p) => p.at);
    const ys = points.map((p) => p.tally);
    const end = Math.max(nowSeconds, xs[xs.length - 1] + 1, xs[0] + 120); // at least two minutes wide
    xs.push(end);
    ys.push(ys[ys.length - 1]);
    const width = () => Math.max(200, Math.floor(box.clientWidth || 300));
    const top = Math.max(need, ...ys) + 1;
    const chart = new uPlot({
      width: width(),
      height: 150,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: () => [0, top] } },
      axes: [
        { stroke: '#1f2937', font: '13px system-ui, sans-serif', grid: { stroke: '#0000001a' } },
        { stroke: '#1f2937', font: '13px system-ui, sans-serif', grid: { stroke: '#0000001a' }, size: 40,
          incrs: [1, 2, 5, 10, 20, 50, 100] },
      ],
      series: [
        {},
        { label: 'Yes', stroke: '#1d4ed8', width: 3, fill: '#1d4ed822', paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false } },
        { label: 'Need', stroke: '#b91c1c', width: 2, dash: [8, 5], points: { show: false } },
      ],
    }, [xs, ys, xs.map(() => need)], box);
    // The chart follows its box: a wall screen, a phone, a rotated tablet.
    const observer = new ResizeObserver(() => {
      if (Math.abs(chart.width - width()) > 2) chart.setSize({ width: width(), height: 150 });
    });
    observer.observe(box);
    charts.add({ chart, observer });
  });
  return box;
}
