import { axisBottom, axisLeft, line, scaleBand, scaleLinear, select, stack } from 'd3';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { formatBytes } from '@glint/core/client';

/** One hour of a chart: its start (ISO 8601) and a number per series key (none: not known). */
export type ChartHour = { hour: string } & Record<string, number | string | undefined>;

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/** What the marks are drawn on: the chart, its hours, its scales, and each mark's tooltip. */
interface Plot {
  svg: ReturnType<typeof select<SVGSVGElement>>;
  hours: ChartHour[];
  x: ReturnType<typeof scaleBand>;
  y: ReturnType<typeof scaleLinear>;
  title: (h: ChartHour, s: ChartSeries) => string;
}

const width = 480;
const height = 170;
const margin = { top: 8, right: 8, bottom: 22, left: 52 };

const hourLabel = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * `<glint-hourly-chart>`: hours along the bottom, drawn with D3 as stacked bars (counts or bytes
 * per hour) or as a line (a level, such as the images a site holds; an hour without a value is a
 * gap). Each bar and point carries
 * its hour and value as a tooltip; the legend names the series by colour and word.
 */
export class GlintHourlyChart extends LitElement {
  static override properties = {
    hours: { attribute: false },
    series: { attribute: false },
    kind: {},
    unit: {},
    label: {},
  };

  declare hours: ChartHour[];
  declare series: ChartSeries[];
  declare kind: 'bars' | 'line';
  /** How values read: counts, or bytes. */
  declare unit: 'count' | 'bytes';
  declare label: string;

  constructor() {
    super();
    this.hours = [];
    this.series = [];
    this.kind = 'bars';
    this.unit = 'count';
    this.label = '';
  }

  private format = (value: number) =>
    this.unit === 'bytes' ? formatBytes(value, 'page') : String(Math.round(value * 100) / 100);

  override render() {
    return html`<figure>
      <figcaption>${this.label}</figcaption>
      <svg
        role="img"
        aria-label=${this.label}
        viewBox="0 0 ${width} ${height}"
        preserveAspectRatio="xMidYMid meet"
      ></svg>
      <ul class="legend">
        ${this.series.map(
          (s) =>
            html`<li><span class="swatch" style="background:${s.color}"></span>${s.label}</li>`,
        )}
      </ul>
    </figure>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('hours') || changed.has('series') || changed.has('kind')) this.draw();
  }

  private draw() {
    const svg = select(this.renderRoot.querySelector('svg')!);
    const hours = this.hours;
    const x = scaleBand()
      .domain(hours.map((h) => h.hour))
      .range([margin.left, width - margin.right])
      .padding(0.15);
    const value = (h: ChartHour, key: string) => Number(h[key] ?? 0);
    const top =
      this.kind === 'bars'
        ? Math.max(0, ...hours.map((h) => this.series.reduce((sum, s) => sum + value(h, s.key), 0)))
        : Math.max(0, ...hours.flatMap((h) => this.series.map((s) => value(h, s.key))));
    const y = scaleLinear()
      .domain([0, top || 1])
      .nice(4)
      .range([height - margin.bottom, margin.top]);
    const every = Math.max(1, Math.ceil(hours.length / 8));

    svg
      .selectAll<SVGGElement>('g.x-axis')
      .data([null], () => 'x')
      .join((enter) => enter.append<SVGGElement>('g').attr('class', 'x-axis axis'))
      .attr('transform', `translate(0,${height - margin.bottom})`)
      .call(
        axisBottom(x)
          .tickValues(hours.filter((_h, i) => i % every === 0).map((h) => h.hour))
          .tickFormat(hourLabel as (value: never) => string)
          .tickSizeOuter(0),
      );
    svg
      .selectAll<SVGGElement>('g.y-axis')
      .data([null], () => 'y')
      .join((enter) => enter.append<SVGGElement>('g').attr('class', 'y-axis axis'))
      .attr('transform', `translate(${margin.left},0)`)
      .call(
        axisLeft(y)
          // Counts are whole: no tick at 0.5 jobs.
          .tickValues(y.ticks(4).filter((t) => this.unit === 'bytes' || Number.isInteger(t)))
          .tickFormat(this.format as (value: never) => string),
      );

    const title = (h: ChartHour, s: ChartSeries) =>
      `${hourLabel(h.hour)}: ${this.format(value(h, s.key))} ${s.label}`;
    const plot = { svg, hours, x, y, title };
    if (this.kind === 'bars') this.drawBars(plot);
    else this.drawLines(plot);
  }

  private drawBars({ svg, hours, x, y, title }: Plot) {
    const layers = stack<ChartHour>().keys(this.series.map((s) => s.key))(
      hours.map((h) => ({
        ...h,
        ...Object.fromEntries(this.series.map((s) => [s.key, Number(h[s.key] ?? 0)])),
      })),
    );
    const byKey = new Map(this.series.map((s) => [s.key, s]));
    svg
      .selectAll<SVGGElement>('g.layer')
      .data(layers, (layer) => layer.key)
      .join((enter) => enter.append<SVGGElement>('g').attr('class', 'layer'))
      .attr('data-series', (layer) => layer.key)
      .attr('fill', (layer) => byKey.get(layer.key)!.color)
      .each(function (layer) {
        const series = byKey.get(layer.key)!;
        select(this)
          .selectAll<SVGRectElement>('rect')
          .data(layer, (point) => point.data.hour)
          .join((enter) => {
            const rect = enter.append<SVGRectElement>('rect');
            rect.append('title');
            return rect;
          })
          .attr('data-hour', (point) => point.data.hour)
          .attr('data-value', (point) => point[1] - point[0])
          .attr('x', (point) => x(point.data.hour) ?? 0)
          .attr('width', x.bandwidth())
          .attr('y', (point) => y(point[1]))
          .attr('height', (point) => y(point[0]) - y(point[1]))
          .select('title')
          .text((point) => title(point.data, series));
      });
  }

  private drawLines({ svg, hours, x, y, title }: Plot) {
    const centre = (h: ChartHour) => (x(h.hour) ?? 0) + x.bandwidth() / 2;
    svg
      .selectAll<SVGGElement>('g.line')
      .data(this.series, (s) => s.key)
      .join((enter) => {
        const group = enter.append<SVGGElement>('g').attr('class', 'line');
        group.append('path');
        return group;
      })
      .attr('data-series', (s) => s.key)
      .each(function (s) {
        const group = select(this);
        group
          .select<SVGPathElement>('path')
          .attr('fill', 'none')
          .attr('stroke', s.color)
          .attr('stroke-width', 2)
          .attr(
            'd',
            line<ChartHour>()
              .defined((h) => h[s.key] !== undefined)
              .x(centre)
              .y((h) => y(Number(h[s.key])))(hours) ?? '',
          );
        group
          .selectAll<SVGCircleElement>('circle')
          .data(
            hours.filter((h) => h[s.key] !== undefined),
            (h) => h.hour,
          )
          .join((enter) => {
            const dot = enter.append<SVGCircleElement>('circle');
            dot.append('title');
            return dot;
          })
          .attr('data-hour', (h) => h.hour)
          .attr('data-value', (h) => Number(h[s.key] ?? 0))
          .attr('cx', centre)
          .attr('cy', (h) => y(Number(h[s.key] ?? 0)))
          .attr('r', 3)
          .attr('fill', s.color)
          .select('title')
          .text((h) => title(h, s));
      });
  }

  static override styles = css`
    :host {
      display: block;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 4px;
    }
    svg {
      width: 100%;
      max-width: 560px;
      height: auto;
      display: block;
      background: #fff;
      border: 1px solid #e5e7eb;
    }
    .axis {
      font-size: 10px;
      color: #4b5563;
    }
    ul.legend {
      display: flex;
      gap: 14px;
      margin: 4px 0 0;
      padding: 0;
      list-style: none;
      font-size: 12px;
      color: #374151;
    }
    .swatch {
      display: inline-block;
      width: 10px;
      height: 10px;
      margin-right: 5px;
      border-radius: 2px;
    }
  `;
}
