/** A file's release families, planned or applied, for people: a line each, then counts. */
import type { SiteSelector } from '@glint/core';
import { selectorText } from '@glint/core/client';
import { fileView, type FamilyChange } from './family-plan';

/** A value of the file's key as people read it. */
function valueText(key: string, value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (key === 'sites') return selectorText(value as SiteSelector);
  if (key === 'waves') {
    const waves = value as SiteSelector[];
    return waves.length ? waves.map((wave) => `(${selectorText(wave)})`).join(' → ') : 'one';
  }
  if (key === 'properties')
    return `{${Object.entries(value as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}}`;
  if (key === 'required_properties') return `[${(value as string[]).join(', ')}]`;
  return typeof value === 'string' && key === 'stable_name' ? JSON.stringify(value) : String(value);
}

const verbs = {
  planned: { create: 'create', update: 'change', left: 'stays as it is (not in the file)' },
  applied: { create: 'created', update: 'changed', left: 'stayed as it is (not in the file)' },
};

/** One family's line: `+` made, `~` changed (key from → to), `=` unchanged, `·` left alone. */
function changeLine(change: FamilyChange, verb: (typeof verbs)['planned']): string {
  switch (change.action) {
    case 'create':
      return `+ ${verb.create} family ${change.name}: ${fileView(change.body)
        .map(([key, value]) => `${key} ${valueText(key, value)}`)
        .join('; ')}`;
    case 'update':
      return `~ ${verb.update} family ${change.name}: ${Object.entries(change.changes)
        .map(([key, c]) => `${key} ${valueText(key, c.from)} → ${valueText(key, c.to)}`)
        .join('; ')}`;
    case 'unchanged':
      return `= family ${change.name}: unchanged`;
    case 'left':
      return `· family ${change.name} ${verb.left}; glint release family delete ${change.name} forgets it`;
  }
}

/** The families' lines and their counts; `applied` tells what was done rather than what would be. */
export function renderFamilyChanges(changes: FamilyChange[], applied: boolean): string {
  const verb = applied ? verbs.applied : verbs.planned;
  const count = (action: FamilyChange['action']) =>
    changes.filter((c) => c.action === action).length;
  const creates = count('create');
  const summary = applied
    ? `${creates} famil${creates === 1 ? 'y' : 'ies'} created, ${count('update')} changed`
    : `${creates} famil${creates === 1 ? 'y' : 'ies'} to create, ${count('update')} to change`;
  return [
    ...changes.map((change) => changeLine(change, verb)),
    `${summary}, ${count('unchanged')} unchanged, ${count('left')} not in the file.`,
  ].join('\n');
}
