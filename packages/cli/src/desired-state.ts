import { CliError } from './errors';
import { globToRegExp } from './glob';
import type { PlacementsSpec, SiteSelector } from './placements-file';

export interface NamedSite {
  id: string;
  name: string;
  type: string;
}

export interface NamedImage {
  id: string;
  name: string;
}

export interface DesiredState {
  /** Each image the file selects, with every site it must be on; unwanted on all other sites. */
  desired: { image: string; sites: string[] }[];
  /** Image patterns that select nothing (yet): not an error, the image may come later. */
  warnings: string[];
}

function siteMatches(selector: SiteSelector, site: NamedSite): boolean {
  if ('type' in selector) return site.type === selector.type;
  if (site.id === selector.name.toLowerCase()) return true;
  return globToRegExp(selector.name, { ignoreCase: true }).test(site.name);
}

function imageMatches(pattern: string, image: NamedImage): boolean {
  return image.id === pattern.toLowerCase() || globToRegExp(pattern).test(image.name);
}

/**
 * The desired matrix a placements file describes, for the sites and images there are. An image
 * selected by several rules is wanted on the union of their sites. Images no rule selects are left
 * as they are. A site selector that selects no site is an error: a mistyped site name would
 * otherwise make its images unwanted where they are.
 */
export function desiredState(
  spec: PlacementsSpec,
  sites: NamedSite[],
  images: NamedImage[],
): DesiredState {
  const wanted = new Map<string, Set<string>>();
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const rule of spec.rules) {
    const ruleSites = new Set<string>();
    for (const selector of rule.sites) {
      const matched = sites.filter((site) => siteMatches(selector.value, site));
      if (matched.length === 0) {
        const what =
          'type' in selector.value
            ? `no site has type "${selector.value.type}"`
            : `no site matches "${selector.value.name}"`;
        errors.push(
          `${spec.file}:${selector.line}: ${what}; your sites are: ${sites.map((s) => `${s.name} (${s.type})`).join(', ') || 'none'}`,
        );
      }
      for (const site of matched) ruleSites.add(site.id);
    }
    for (const pattern of rule.images) {
      const matched = images.filter((image) => imageMatches(pattern.value, image));
      if (matched.length === 0)
        warnings.push(`${spec.file}:${pattern.line}: no image matches "${pattern.value}"`);
      for (const image of matched) {
        const set = wanted.get(image.id) ?? new Set<string>();
        for (const site of ruleSites) set.add(site);
        wanted.set(image.id, set);
      }
    }
  }
  if (errors.length > 0)
    throw new CliError(`${errors.join('\n')}\nFix the selectors, or add the sites first.`);
  return {
    desired: [...wanted].map(([image, set]) => ({ image, sites: [...set].sort() })),
    warnings,
  };
}
