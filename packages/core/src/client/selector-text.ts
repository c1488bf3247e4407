import type { ImageSelector, SiteSelector } from '../selectors';

/** Labels or properties on one line, sorted by key: `tier=prod,zone=b`. */
export function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}

/**
 * A rule's selector on one line, as both clients show it: `names ubuntu-*|debian-*, labels
 * tier=prod`. Its fields must all match, the values of one field are alternatives (`|`); a site
 * selector's ids are shown by name with `siteName`.
 */
export function selectorText(
  selector: ImageSelector | SiteSelector,
  siteName = (id: string) => id,
): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(selector) as [string, unknown][]) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const values = field === 'ids' ? (value as string[]).map(siteName) : (value as string[]);
      parts.push(`${field} ${values.join('|')}`);
    } else parts.push(`${field} ${labelsText(value as Record<string, string>)}`);
  }
  return parts.join(', ');
}
