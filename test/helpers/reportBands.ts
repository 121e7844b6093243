/**
 * Reads the shaded bands of the load report's charts back from its HTML (as written, or
 * as a browser dumped it), in seconds on the chart's own x axis: where the band's left and
 * right edges fall between the axis line's ends, times the axis range (data-x-max).
 */
export interface ChartBand {
  label: string;
  from: number;
  to: number;
}

function attr(tag: string, name: string): number {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  if (!m) throw new Error(`no ${name} in ${tag}`);
  return Number(m[1]);
}

/** The figure's markup, or '' when the page has no such figure. */
export function figure(html: string, id: string): string {
  return new RegExp(`<figure id="${id}">([\\s\\S]*?)</figure>`).exec(html)?.[1] ?? '';
}

export function bandsOf(figureHtml: string): ChartBand[] {
  const svg = /<svg[^>]*>/.exec(figureHtml)?.[0];
  if (!svg) return [];
  const xMax = attr(svg, 'data-x-max');
  // The x axis is the axis line drawn level (y1 = y2).
  const axis = [...figureHtml.matchAll(/<line class="axis"[^>]*>/g)].map((m) => m[0]).find((l) => attr(l, 'y1') === attr(l, 'y2'));
  if (!axis) throw new Error('no x axis');
  const [left, right] = [attr(axis, 'x1'), attr(axis, 'x2')];
  const at = (px: number) => ((px - left) / (right - left)) * xMax;
  return [...figureHtml.matchAll(/<rect class="band"[^>]*>/g)].map(({ 0: tag }) => ({
    label: /data-band="([^"]*)"/.exec(tag)?.[1] ?? '',
    from: at(attr(tag, 'x')),
    to: at(attr(tag, 'x') + attr(tag, 'width')),
  }));
}

/** The legend entries of a figure, in order. */
export function legendOf(figureHtml: string): string[] {
  return [...figureHtml.matchAll(/<text x="16" class="legend">([^<]*)<\/text>/g)].map((m) => m[1]!);
}
