/**
 * Inline SVG charts for the load report, drawn here so the report needs no network and
 * no charting library: a line chart over time and a bar chart of the latency histogram.
 * Pure string building; every path is in the page as it is written.
 */

export interface Series {
  name: string;
  color: string;
  /** [x, y]; a y below 0 is a gap (a missed sample). */
  points: [number, number][];
  dashed?: boolean;
}

/** A stretch of the x axis to shade (the workers' pause), with its legend entry. */
export interface Band {
  from: number;
  to: number;
  label: string;
}

const BAND_COLOR = '#bab0ac';
const W = 860;
const H = 260;
const PAD = { left: 64, right: 16, top: 28, bottom: 36 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1, 2, 5 steps: about five gridlines whatever the range. */
function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

const xTick = (x: number, label: string) => `<text class="tick" x="${x}" y="${H - PAD.bottom + 16}" text-anchor="middle">${label}</text>`;

function caption(id: string, title: string, unit: string): string {
  return `<figure id="${id}"><figcaption>${escapeHtml(title)} <span class="unit">(${escapeHtml(unit)})</span></figcaption>`;
}

const fmt = (v: number) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));

export function lineChart(id: string, title: string, unit: string, series: Series[], xMax: number, bands: Band[] = []): string {
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const yMax = Math.max(1, ...ys);
  const step = niceStep(yMax);
  const top = Math.ceil(yMax / step) * step;
  const xSpan = Math.max(1, xMax);
  const px = (x: number) => PAD.left + (x / xSpan) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (y / top) * (H - PAD.top - PAD.bottom);
  const grid: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    grid.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(v)}" y2="${py(v)}"/>`);
    grid.push(`<text class="tick" x="${PAD.left - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  const xStep = niceStep(xSpan);
  for (let x = 0; x <= xSpan; x += xStep) grid.push(xTick(px(x), fmt(x)));
  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (y < 0) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    return `<path class="series" data-series="${escapeHtml(s.name)}" d="${d}" stroke="${s.color}" fill="none" stroke-width="1.8"${dash}/>`;
  });
  // Under the lines, full height, clipped to the axis: where the x range says it was.
  const shaded = bands.map((b) => {
    const x1 = px(Math.min(Math.max(0, b.from), xSpan));
    const x2 = px(Math.min(Math.max(0, b.to), xSpan));
    return (
      `<rect class="band" data-band="${escapeHtml(b.label)}" x="${x1.toFixed(1)}" y="${PAD.top}" width="${(x2 - x1).toFixed(1)}" ` +
      `height="${H - PAD.top - PAD.bottom}" fill="${BAND_COLOR}" fill-opacity="0.35"><title>${escapeHtml(b.label)}: ` +
      `${fmt(b.from)}-${fmt(b.to)} s</title></rect>`
    );
  });
  const legend = [
    ...series.map(
      (s, i) =>
        `<g transform="translate(${PAD.left + i * 130},12)"><rect width="12" height="3" y="-4" fill="${s.color}"/>` +
        `<text x="16" class="legend">${escapeHtml(s.name)}</text></g>`,
    ),
    ...bands.map(
      (b, i) =>
        `<g transform="translate(${PAD.left + (series.length + i) * 130},12)"><rect width="12" height="9" y="-8" fill="${BAND_COLOR}" ` +
        `fill-opacity="0.6"/><text x="16" class="legend">${escapeHtml(b.label)}</text></g>`,
    ),
  ];
  return `${caption(id, title, `${unit}; x: seconds since start`)}
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(title)}" data-x-max="${xSpan}" data-y-max="${top}">
<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>
${shaded.join('\n')}
${grid.join('\n')}
${paths.join('\n')}
${legend.join('\n')}
</svg></figure>`;
}

/** The latency histogram: one bar per non-empty log bucket, labelled by its upper edge. */
export function histogramChart(id: string, title: string, buckets: [number, number][]): string {
  const max = Math.max(1, ...buckets.map((b) => b[1]));
  const n = Math.max(1, buckets.length);
  const bw = (W - PAD.left - PAD.right) / n;
  const bars = buckets.map(([edge, count], i) => {
    const h = (count / max) * (H - PAD.top - PAD.bottom);
    const x = PAD.left + i * bw;
    const label = i % Math.ceil(n / 12) === 0 ? xTick(x + bw / 2, fmt(edge)) : '';
    const d = `M${x.toFixed(1)},${H - PAD.bottom}v${(-h).toFixed(1)}h${Math.max(1, bw - 2).toFixed(1)}v${h.toFixed(1)}z`;
    return `<path class="series bar" d="${d}" fill="#4e79a7"><title>&le; ${fmt(edge)} ms: ${count}</title></path>${label}`;
  });
  return `${caption(id, title, 'messages per bucket; x: latency upper edge, ms, log buckets')}
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(title)}">
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>
<text class="tick" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${fmt(max)}</text>
${bars.join('\n')}
</svg></figure>`;
}
