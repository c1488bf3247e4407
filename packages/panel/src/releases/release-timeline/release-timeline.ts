import { axisBottom, scaleTime, select, type Selection } from 'd3';
import { LitElement, html, type PropertyValues } from 'lit';
import type { ReleaseVersion } from '@glint/api/replies';
import { releaseTimelineStyles } from './styles';

const width = 640;
const height = 112;
const margin = { left: 36, right: 36, axis: 88 };
const day = 86_400_000;

const dateText = (iso: string) => new Date(iso).toISOString().slice(0, 10);
/** The least distance between two versions' marks, so each stays readable and clickable. */
const gap = 64;

/**
 * Marks for points on an axis, in the points' order, at least `gap` apart and inside [from, to]:
 * versions published minutes apart would otherwise be drawn on top of each other. Each point's
 * stem still meets the axis at its own time.
 */
export function spread(points: number[], from: number, to: number): number[] {
  const order = points.map((_p, i) => i).sort((a, b) => points[a]! - points[b]!);
  const marks = [...points];
  let last = -Infinity;
  for (const i of order) last = marks[i] = Math.max(points[i]!, last + gap);
  let next = Infinity;
  for (const i of order.reverse())
    next = marks[i] = Math.max(from, Math.min(marks[i]!, to, next - gap));
  return marks;
}

/** A version's look: the one the stable name follows, a retired one, or another. */
function kindOf(version: ReleaseVersion, followed: string | null): string {
  if (version.retiredAt !== null) return 'retired';
  return version.id === followed ? 'followed' : 'kept';
}

/**
 * `<glint-release-timeline>`: a family's versions along their publish dates, drawn with D3, each
 * with its version string and the channels that point at it. The picture sums itself up for screen
 * readers; the view lists the same versions as text. Clicking a version fires `version-selected`.
 */
export class GlintReleaseTimeline extends LitElement {
  static override properties = {
    versions: { attribute: false },
    followed: {},
    selected: {},
    label: {},
  };

  declare versions: ReleaseVersion[];
  /** The id of the version the stable name follows. */
  declare followed: string | null;
  declare selected: string | null;
  declare label: string;

  constructor() {
    super();
    this.versions = [];
    this.followed = null;
    this.selected = null;
    this.label = '';
  }

  private summary(): string {
    const each = this.versions.map((v) => {
      const channels = v.channels.length > 0 ? ` (${v.channels.join(', ')})` : '';
      return `${v.version} on ${dateText(v.publishedAt)}${channels}`;
    });
    return `${this.label}: ${each.join('; ') || 'no version yet'}`;
  }

  override render() {
    return html`<svg
      role="img"
      aria-label=${this.summary()}
      viewBox="0 0 ${width} ${height}"
      preserveAspectRatio="xMinYMid meet"
    ></svg>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('versions') || changed.has('followed') || changed.has('selected')) this.draw();
  }

  private draw() {
    const svg = select(this.renderRoot.querySelector('svg')!);
    const times = this.versions.map((v) => new Date(v.publishedAt).getTime());
    const from = Math.min(...times, Date.now()) - day;
    const to = Math.max(...times, Date.now()) + day;
    const x = scaleTime()
      .domain([new Date(from), new Date(to)])
      .range([margin.left, width - margin.right]);
    svg
      .selectAll<SVGGElement>('g.axis')
      .data([null], () => 'axis')
      .join((enter) => enter.append<SVGGElement>('g').attr('class', 'axis'))
      .attr('transform', `translate(0,${margin.axis})`)
      .call(axisBottom(x).ticks(5).tickSizeOuter(0));
    const at = new Map(this.versions.map((v) => [v.id, x(new Date(v.publishedAt))]));
    const spreadOut = spread([...at.values()], margin.left, width - margin.right);
    const markAt = new Map([...at.keys()].map((id, i) => [id, spreadOut[i]!]));
    const marks = svg
      .selectAll<SVGGElement>('g.version')
      .data(this.versions, (v) => v.id)
      .join((enter) => {
        const mark = enter.append<SVGGElement>('g').attr('class', 'version');
        mark.append('title');
        mark.append('line').attr('class', 'stem');
        mark.append('circle').attr('r', 7);
        mark.append('text').attr('class', 'name');
        mark.append('text').attr('class', 'channels');
        return mark;
      })
      .attr('data-version', (v) => v.version)
      .attr('data-kind', (v) => kindOf(v, this.followed))
      .classed('selected', (v) => v.id === this.selected)
      .attr('data-at', (v) => at.get(v.id)!)
      .attr('transform', (v) => `translate(${markAt.get(v.id)},0)`)
      .on('click', (_event, v) => this.select(v));
    this.drawMarks(marks, (v) => at.get(v.id)! - markAt.get(v.id)!);
  }

  /** `offset`: from a version's mark to its time on the axis, where its stem ends. */
  private drawMarks(
    marks: Selection<SVGGElement, ReleaseVersion>,
    offset: (v: ReleaseVersion) => number,
  ) {
    // Neighbours alternate in height, so the labels of versions published close together do not overlap.
    const dot = (_v: ReleaseVersion, i: number) => (i % 2 === 0 ? 52 : 26);
    marks.select('title').text((v) => `${v.version}, published ${dateText(v.publishedAt)}`);
    marks
      .select('line.stem')
      .attr('y1', dot)
      .attr('y2', margin.axis)
      .attr('x1', 0)
      .attr('x2', offset);
    marks.select('circle').attr('cy', dot);
    marks
      .select('text.name')
      .attr('y', (v, i) => dot(v, i) - 13)
      .attr('text-anchor', 'middle')
      .text((v) => v.version);
    marks
      .select('text.channels')
      .attr('y', (v, i) => dot(v, i) + 18)
      .attr('text-anchor', 'middle')
      .text((v) => v.channels.join(' · '));
  }

  private select(version: ReleaseVersion) {
    this.dispatchEvent(
      new CustomEvent('version-selected', { detail: version.id, bubbles: true, composed: true }),
    );
  }

  static override styles = releaseTimelineStyles;
}
