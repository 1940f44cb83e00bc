/**
 * Charts with uPlot (bundled from npm). Every chart has a text alternative: an aria-label on
 * its figure and the same numbers in a table beside it (screen readers, keyboard users and the
 * tests read those), so a chart never carries information alone.
 */
import uPlot from 'uplot';

const COLOURS = ['#0b4f9c', '#c2410c', '#0a6b2d', '#7e22ce', '#a16207', '#be123c'];

function frame(parent: HTMLElement, title: string): HTMLElement {
  const fig = document.createElement('figure');
  fig.setAttribute('role', 'img');
  fig.setAttribute('aria-label', title);
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  fig.append(cap);
  parent.append(fig);
  return fig;
}

const width = (el: HTMLElement) => Math.max(320, Math.min(560, (el.parentElement?.clientWidth ?? 560) - 8));

/** Lines over time: x in epoch seconds, one series per label. */
export function timeChart(parent: HTMLElement, title: string, x: number[], series: { label: string; values: (number | null)[] }[]) {
  const fig = frame(parent, title);
  new uPlot(
    { width: width(parent), height: 220, series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2 }))], axes: [{}, {}] },
    [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
    fig,
  );
}

/** Bars of labelled values (uPlot's bars path on an index axis labelled with the names). */
export function barChart(parent: HTMLElement, title: string, labels: string[], values: number[], opts: { signed?: boolean } = {}) {
  const fig = frame(parent, title);
  const x = labels.map((_, i) => i);
  const bars = uPlot.paths.bars!({ size: [0.7, 60] });
  new uPlot(
    {
      width: width(parent),
      height: 240,
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, ...(opts.signed ? {} : { y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } }) },
      series: [{}, { label: title, stroke: COLOURS[0], fill: 'rgba(11,79,156,0.55)', paths: bars, points: { show: false } }],
      axes: [{ values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? (labels[s] ?? '') : '')), rotate: -30, size: 70, gap: 4 } as uPlot.Axis, {}],
      legend: { show: false },
    },
    [x, values],
    fig,
  );
}
