/**
 * Site labels on the command line, written as kubectl writes them: `key=value` sets a label,
 * `key-` removes one. Checked here with the API's own rules (@glint/core labelProblems), so a
 * mistake names the argument before anything is sent.
 */
import { labelProblems } from '@glint/core/client';
import { UsageError } from './errors';

export type Labels = Record<string, string>;

/** What the arguments change: the labels to set, and the keys to remove. */
export interface LabelChanges {
  set: Labels;
  remove: string[];
}

const removal = /^(.+)-$/;

/** `key=value` and `key-` arguments; anything else, or a label Glint refuses, is a usage error. */
export function parseLabelArgs(args: string[]): LabelChanges {
  const changes: LabelChanges = { set: {}, remove: [] };
  const problems: string[] = [];
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at > 0) changes.set[arg.slice(0, at)] = arg.slice(at + 1);
    else if (removal.test(arg) && !arg.includes('=')) changes.remove.push(arg.slice(0, -1));
    else problems.push(`"${arg}" is neither key=value (to set a label) nor key- (to remove one)`);
  }
  problems.push(...labelProblems(changes.set));
  const both = changes.remove.filter((key) => key in changes.set);
  if (both.length > 0)
    problems.push(`${both.map((key) => `"${key}"`).join(', ')} is both set and removed: say one`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return changes;
}

/** The labels after the changes; removing a key the site does not carry is not an error. */
export function changedLabels(labels: Labels, changes: LabelChanges): Labels {
  const next = { ...labels, ...changes.set };
  for (const key of changes.remove) delete next[key];
  return next;
}

/** `key=value` options (--site-label, --image-property) as a map; a bare key is a usage error. */
export function keyValues(option: string, values: string[]): Labels {
  const map: Labels = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`${option} takes key=value, not "${value}"`);
    map[value.slice(0, at)] = value.slice(at + 1);
  }
  return map;
}
