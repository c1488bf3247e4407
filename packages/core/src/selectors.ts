import type { SiteType } from './site';

/**
 * Which sites a standing rule (or a release) addresses. Every field given must match (AND); the
 * values inside one list are alternatives (OR). A selector that gives no field matches no site:
 * an empty or forgotten selector must never mean "everywhere".
 */
export interface SiteSelector {
  /** Every one of these labels, with exactly this value. */
  labels?: Record<string, string>;
  types?: SiteType[];
  /** The site's region (its config's `region`). */
  regions?: string[];
  /** Glint's site ids. */
  ids?: string[];
}

/**
 * Which logical images a standing rule addresses, with the same AND/OR reading as SiteSelector and
 * the same refusal of the empty selector.
 */
export interface ImageSelector {
  /** Globs on the image's name: `*` any run of characters, `?` one character; the whole name. */
  names?: string[];
  /** Glance properties that must all be present with exactly these values. */
  properties?: Record<string, string>;
  /** Glint's logical image ids (matrix rows). */
  ids?: string[];
}

/** What a site selector looks at. */
export interface SelectableSite {
  id: string;
  type: string;
  region: string | null;
  labels: Record<string, string>;
}

/** What an image selector looks at: one copy's properties stand for the image. */
export interface SelectableImage {
  id: string;
  name: string;
  properties: Record<string, string>;
}

/** At most this many labels on one site, as a guard on matrix and rule costs. */
export const MAX_SITE_LABELS = 32;

/** A label key: a DNS-like name of ≤63 characters, optionally behind a `prefix/` (Kubernetes). */
export const labelKeyPattern =
  '^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$';
/** A label value: empty, or ≤63 letters, digits, `.`, `_`, `-`, alphanumeric at both ends. */
export const labelValuePattern = '^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$';

const labelKey = new RegExp(labelKeyPattern);
const labelValue = new RegExp(labelValuePattern);

/**
 * What is wrong with a label map, one sentence per problem, saying how to fix it; empty when
 * nothing is.
 */
export function labelProblems(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(labels);
  if (entries.length > MAX_SITE_LABELS)
    problems.push(`a site takes at most ${MAX_SITE_LABELS} labels, not ${entries.length}`);
  for (const [key, value] of entries) {
    if (!labelKey.test(key))
      problems.push(
        `label key "${key}" is not valid: use lower-case letters, digits, ".", "_" and "-" (≤63, alphanumeric at both ends), optionally behind "prefix/"`,
      );
    if (typeof value !== 'string' || !labelValue.test(value))
      problems.push(
        `label value of "${key}" is not valid: use ≤63 letters, digits, ".", "_" and "-", alphanumeric at both ends`,
      );
  }
  return problems;
}

const given = <T>(list: T[] | undefined): list is T[] => list !== undefined;
const givenMap = (map: Record<string, string> | undefined): map is Record<string, string> =>
  map !== undefined;

/** Whether `values` includes all of `wanted`'s entries with equal values. */
function holdsAll(values: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(
    ([key, value]) => Object.hasOwn(values, key) && values[key] === value,
  );
}

/**
 * Whether the selector constrains nothing: no field given but empty label or property maps. Such a
 * selector matches nothing. (An empty list given is an OR of no values, which matches nothing too.)
 */
export function selectorIsEmpty(selector: SiteSelector | ImageSelector): boolean {
  return Object.values(selector).every(
    (field) =>
      field === undefined ||
      (!Array.isArray(field) && typeof field === 'object' && Object.keys(field).length === 0),
  );
}

export function siteMatches(selector: SiteSelector, site: SelectableSite): boolean {
  if (selectorIsEmpty(selector)) return false;
  const { labels, types, regions, ids } = selector;
  if (givenMap(labels) && !holdsAll(site.labels, labels)) return false;
  if (given(types) && !types.includes(site.type as SiteType)) return false;
  if (given(regions) && (site.region === null || !regions.includes(site.region))) return false;
  return !given(ids) || ids.includes(site.id);
}

const globCache = new Map<string, RegExp>();

/** A name glob as an anchored regular expression: `*` any run, `?` one character, the rest literal. */
export function globPattern(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (!pattern) {
    const source = [...glob]
      .map((char) =>
        char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
      )
      .join('');
    pattern = new RegExp(`^${source}$`, 's');
    // Rules repeat a few globs; an API fed many distinct ones must not grow this without bound.
    if (globCache.size >= 1000) globCache.clear();
    globCache.set(glob, pattern);
  }
  return pattern;
}

export function imageMatches(selector: ImageSelector, image: SelectableImage): boolean {
  if (selectorIsEmpty(selector)) return false;
  const { names, properties, ids } = selector;
  if (given(names) && !names.some((glob) => globPattern(glob).test(image.name))) return false;
  if (givenMap(properties) && !holdsAll(image.properties, properties)) return false;
  return !given(ids) || ids.includes(image.id);
}
