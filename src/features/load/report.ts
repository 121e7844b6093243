/**
 * The load report: one self-contained HTML file (inline CSS, inline SVG, one small
 * inline script), so it opens offline and can be attached to a ticket. The script only
 * adds a readout under the pointer and marks the page rendered; the charts are drawn
 * without it.
 */
import { type Band, escapeHtml, histogramChart, lineChart, type Series } from './charts.js';
import type { LoadResult } from './types.js';
import { STAGES, type Stage } from './stages.js';

const STAGE_LABELS: Record<Stage, string> = {
  queue: 'waiting on the queue (sent to received)',
  claim: 'ledger claim',
  sinks: 'sinks',
  delete: 'delete (or move to the DLQ)',
};
const STAGE_COLORS: Record<Stage, string> = { queue: '#4e79a7', claim: '#f28e2b', sinks: '#59a14f', delete: '#e15759' };

/** Where each message's time went: p50/p99 per stage, from the pipeline's stage timings. */
function stagesTable(r: LoadResult): string {
  if (!r.stages) return '';
  const rows = STAGES.map((st) => {
    const v = r.stages![st];
    const cells = v.count ? [`${v.p50} ms`, `${v.p99} ms`, String(v.count)] : ['–', '–', '0'];
    return `<tr><th>${escapeHtml(STAGE_LABELS[st])}</th>${cells.map((c) => `<td class="n">${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<figure id="stages"><figcaption>Where the time goes, per message</figcaption><table>
<tr><th>stage</th><th>p50</th><th>p99</th><th>messages</th></tr>${rows.join('')}</table></figure>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:24px auto;max-width:920px;color:#222}
h1{font-size:20px}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00020;font-weight:600}.note{color:#555}
figure{margin:24px 0}figcaption{font-weight:600;margin-bottom:4px}.unit{font-weight:400;color:#666}
.grid{stroke:#eee}.axis{stroke:#999}.tick,.legend{font-size:11px;fill:#555}#readout{position:fixed;pointer-events:none;
background:#fff;border:1px solid #999;padding:2px 6px;font-size:12px;display:none}`;

// Shows the nearest sample's values under the pointer; then marks the page as rendered.
const SCRIPT = `(function(){var data=JSON.parse(document.getElementById('samples').textContent);
var out=document.getElementById('readout');document.querySelectorAll('svg[data-x-max]').forEach(function(svg){
svg.addEventListener('mousemove',function(e){var r=svg.getBoundingClientRect();var x=(e.clientX-r.left)/r.width*860;
var t=(x-64)/(860-80)*Number(svg.dataset.xMax);var best=data[0];
data.forEach(function(s){if(Math.abs(s.t/1000-t)<Math.abs(best.t/1000-t))best=s;});
if(!best)return;out.style.display='block';out.style.left=(e.clientX+12)+'px';out.style.top=(e.clientY+12)+'px';
out.textContent='t='+(best.t/1000).toFixed(0)+'s sent '+best.sentRate+'/s done '+best.completedRate+'/s p99 '+
best.latency.p99+' ms depth '+best.visible+' oldest '+best.oldestAgeMs+' ms'+(best.paused?' (workers paused)':'');});
svg.addEventListener('mouseleave',function(){out.style.display='none';});});
var drawn=Array.prototype.filter.call(document.querySelectorAll('svg path.series'),
function(p){return (p.getAttribute('d')||'').length>1;}).length;
document.body.setAttribute('data-charts-rendered',String(drawn));})();`;

function row(label: string, value: string | number, bad = false): string {
  return `<tr><th>${escapeHtml(label)}</th><td class="n${bad ? ' bad' : ''}">${escapeHtml(String(value))}</td></tr>`;
}

export function renderReport(r: LoadResult, generatedAt = new Date()): string {
  const noteItems = notes(r).map((n) => `<li>${escapeHtml(n)}</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sqsops load: ${escapeHtml(r.queue)}</title><style>${CSS}</style></head>
<body><h1>sqsops load on ${escapeHtml(r.queue)}</h1>
<p class="note">Generated ${escapeHtml(generatedAt.toISOString())}.</p>
<table>${summaryRows(r).join('')}</table>
<ul class="note">${noteItems.join('')}</ul>
${stagesTable(r)}
${charts(r).join('\n')}
<div id="readout"></div>
<script type="application/json" id="samples">${JSON.stringify(r.samples).replace(/</g, '\\u003c')}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

type Sample = LoadResult['samples'][number];

/** The samples as chart points: seconds from the start (to 0.1 s) against a value. */
function timeline(samples: Sample[]) {
  const x = (t: number) => Math.round(t / 100) / 10;
  const pts = (f: (v: Sample) => number) => samples.map((v) => [x(v.t), f(v)] as [number, number]);
  // Intervals that completed nothing have no latency: a gap, not a zero.
  const lat = (f: (v: Sample) => number) => pts((v) => (v.latency.count ? f(v) : -1));
  return { x, xMax: x(samples.at(-1)?.t ?? 0), pts, lat };
}

function charts(r: LoadResult): string[] {
  const { x, xMax, pts, lat } = timeline(r.samples);
  // The workers' pause (--pause-workers-at .. --resume-at), shaded on every chart over time.
  const bands: Band[] = r.pause ? [{ from: x(r.pause.fromMs), to: x(r.pause.toMs), label: 'workers paused' }] : [];
  const latency: Series[] = [
    { name: 'p50', color: '#4e79a7', points: lat((v) => v.latency.p50) },
    { name: 'p90', color: '#f28e2b', points: lat((v) => v.latency.p90) },
    { name: 'p99', color: '#e15759', points: lat((v) => v.latency.p99) },
    { name: 'max', color: '#76b7b2', points: lat((v) => v.latency.max), dashed: true },
  ];
  const throughput: Series[] = [
    { name: 'asked', color: '#999', points: pts((v) => v.askedRate), dashed: true },
    { name: 'sent', color: '#4e79a7', points: pts((v) => v.sentRate) },
    { name: 'completed', color: '#59a14f', points: pts((v) => v.completedRate) },
  ];
  const depth: Series[] = [
    { name: 'visible', color: '#4e79a7', points: pts((v) => v.visible) },
    { name: 'in flight', color: '#f28e2b', points: pts((v) => v.inFlight) },
  ];
  const all = [
    lineChart('latency', 'Latency, send to completed, per interval', 'ms', latency, xMax, bands),
    lineChart('throughput', 'Throughput', 'messages per second', throughput, xMax, bands),
    lineChart('depth', 'Queue depth (GetQueueAttributes)', 'messages', depth, xMax, bands),
    lineChart('age', 'Age of the oldest waiting message (from our send times)', 'seconds', ageSeries(r, pts, xMax), xMax, bands),
    histogramChart('histogram', 'Latency histogram, whole run', r.histogram),
  ];
  if (r.stages) {
    const series = STAGES.map((st) => ({
      name: st,
      color: STAGE_COLORS[st],
      points: pts((v) => (v.stages?.[st].count ? v.stages[st].p99 : -1)),
    }));
    all.splice(1, 0, lineChart('stage-p99', 'p99 per stage, per interval', 'ms', series, xMax, bands));
  }
  return all;
}

/** The oldest message's age, and the --max-age limit as a dashed line if one was set. */
function ageSeries(r: LoadResult, pts: ReturnType<typeof timeline>['pts'], xMax: number): Series[] {
  const series: Series[] = [{ name: 'oldest waiting', color: '#e15759', points: pts((v) => v.oldestAgeMs / 1000) }];
  if (r.maxAgeLimitMs !== undefined) {
    const limit = r.maxAgeLimitMs / 1000;
    series.push({
      name: '--max-age',
      color: '#999',
      points: [
        [0, limit],
        [xMax, limit],
      ],
      dashed: true,
    });
  }
  return series;
}

function summaryRows(r: LoadResult): string[] {
  const l = r.latency;
  const limit = r.maxAgeLimitMs !== undefined ? ` (limit ${r.maxAgeLimitMs / 1000} s)` : '';
  const pause = r.pause ? `${(r.pause.fromMs / 1000).toFixed(1)} s to ${(r.pause.toMs / 1000).toFixed(1)} s (shaded below)` : 'no';
  return [
    row('rate asked', `${r.rate} (${r.askedRate} msg/s on average)`),
    row('rate achieved (sent)', `${r.achievedRate} msg/s`, r.senderLimited),
    row('workers', `${r.workers.count} (${r.workers.mode})`),
    row('workers paused', pause),
    row('send time / drain time', `${(r.durationMs / 1000).toFixed(1)} s / ${(r.drainMs / 1000).toFixed(1)} s`),
    row('sent (= processed + in the DLQ + left on the queue + lost)', r.sent),
    row('not sent (refused or failed)', r.sendFailed, r.sendFailed > 0),
    row('processed', r.processed),
    row('duplicates skipped (among processed)', r.duplicatesSkipped),
    row('in the DLQ', `${r.inDlq}${r.dlq ? ` (${r.toDlq} moved by the workers)` : ' (no DLQ)'}`, r.inDlq > 0),
    row('left on the queue', r.leftOnQueue, r.leftOnQueue > 0),
    row('lost (sent, then gone unprocessed)', r.lost, r.lost > 0),
    row('foreign, released', r.ownQueue ? 'none (a queue of its own)' : r.foreignReleased),
    row('latency p50 / p90 / p99 / max', `${l.p50} / ${l.p90} / ${l.p99} / ${l.max} ms`),
    row('oldest message waited', `${(r.maxAgeMs / 1000).toFixed(2)} s${limit}`, limit !== '' && r.maxAgeMs > r.maxAgeLimitMs!),
  ];
}

function notes(r: LoadResult): string[] {
  const all = [
    'Latency is measured per message from just before its SendMessageBatch to the worker recording it completed in the ledger ' +
      '(or skipping it as a duplicate, or moving it to the DLQ).',
    "The age of the oldest waiting message is computed from the run's own send times of messages not yet completed, " +
      "not from SQS's ApproximateAgeOfOldestMessage (the local AWS does not have it).",
    'Percentiles come from log buckets (10 per doubling): each is within about 7% of the exact value.',
  ];
  if (r.senderLimited) {
    const reached = `The sender reached ${r.achievedRate} of the asked ${r.askedRate} msg/s`;
    all.unshift(`${reached}: this machine (or the send path), not the pipeline, was the limit.`);
  }
  if (r.stoppedBy) all.unshift(`The run stopped early: ${r.stoppedBy}.`);
  return all;
}
