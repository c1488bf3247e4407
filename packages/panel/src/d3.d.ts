/**
 * The part of D3's selection API the panel uses. d3 ships no types and @types/d3 is
 * not a dependency; these signatures follow d3-selection 3.
 */
declare module 'd3' {
  type Value<Datum, T> = T | ((this: Element, datum: Datum, index: number) => T);

  export interface Selection<E extends Element, Datum> {
    selectAll<F extends Element, D = Datum>(selector: string): Selection<F, D>;
    select<F extends Element>(selector: string): Selection<F, Datum>;
    data<D>(data: readonly D[], key: (this: Element, datum: D) => string): Update<E, D>;
    append<F extends Element>(tag: string): Selection<F, Datum>;
    attr(name: string, value: Value<Datum, string | number | boolean | null>): this;
    style(name: string, value: Value<Datum, string | null>): this;
    classed(names: string, value: Value<Datum, boolean>): this;
    text(value: Value<Datum, string>): this;
    on(type: string, listener: ((event: Event, datum: Datum) => void) | null): this;
    filter(predicate: (this: E, datum: Datum, index: number) => boolean): Selection<E, Datum>;
    each(callback: (this: E, datum: Datum, index: number) => void): this;
    call(callback: (selection: this) => void): this;
    remove(): this;
    node(): E | null;
    transition(): Transition<Datum>;
  }

  /** d3-transition: the parts used. */
  export interface Transition<Datum> {
    duration(ms: number): this;
    style(name: string, value: Value<Datum, string | null>): this;
    remove(): this;
  }

  export interface Update<E extends Element, Datum> extends Selection<E, Datum> {
    join<F extends Element>(
      enter: (enter: Enter<Datum>) => Selection<F, Datum>,
      update?: (update: Selection<E, Datum>) => Selection<E, Datum>,
      exit?: (exit: Selection<E, Datum>) => void,
    ): Selection<F | E, Datum>;
  }

  export interface Enter<Datum> {
    append<F extends Element>(tag: string): Selection<F, Datum>;
  }

  export function select<E extends Element>(node: E): Selection<E, unknown>;

  /** d3-scale, d3-axis and d3-shape: the parts the charts use. */
  export interface ScaleBand {
    (value: string): number | undefined;
    domain(domain: readonly string[]): this;
    range(range: [number, number]): this;
    padding(padding: number): this;
    bandwidth(): number;
  }
  export function scaleBand(): ScaleBand;

  export interface ScaleLinear {
    (value: number): number;
    domain(domain: [number, number]): this;
    range(range: [number, number]): this;
    nice(count?: number): this;
    ticks(count?: number): number[];
  }
  export function scaleLinear(): ScaleLinear;

  export interface ScaleTime {
    (value: Date): number;
    domain(domain: [Date, Date]): this;
    range(range: [number, number]): this;
    nice(count?: number): this;
  }
  export function scaleTime(): ScaleTime;

  export interface Axis {
    (selection: Selection<SVGGElement, unknown>): void;
    ticks(count: number): this;
    tickValues(values: readonly (string | number)[]): this;
    tickFormat(format: (value: never) => string): this;
    tickSizeOuter(size: number): this;
  }
  export function axisBottom(scale: ScaleBand | ScaleLinear | ScaleTime): Axis;
  export function axisLeft(scale: ScaleBand | ScaleLinear): Axis;

  export interface SeriesPoint<Datum> extends Array<number> {
    0: number;
    1: number;
    data: Datum;
  }
  export interface Series<Datum> extends Array<SeriesPoint<Datum>> {
    key: string;
    index: number;
  }
  export interface Stack<Datum> {
    (data: readonly Datum[]): Series<Datum>[];
    keys(keys: readonly string[]): this;
  }
  export function stack<Datum>(): Stack<Datum>;

  export interface Line<Datum> {
    (data: readonly Datum[]): string | null;
    defined(defined: (datum: Datum) => boolean): this;
    x(x: (datum: Datum) => number): this;
    y(y: (datum: Datum) => number): this;
  }
  export function line<Datum>(): Line<Datum>;
}
