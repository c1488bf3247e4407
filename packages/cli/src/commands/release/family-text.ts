import type { FamilyDetails, ReleaseVersion } from '@glint/api/replies';
import { renderFields, renderTable } from '../../table';

export const siteStates = (version: ReleaseVersion) =>
  version.sites.map((s) => `${s.siteName}:${s.state}`).join(' ');

/** A family as people read it: its settings, then its versions. */
export function familyText(details: FamilyDetails): string {
  const { family } = details;
  return [
    renderFields([
      ['family', family.name],
      ['stable name', family.stableName],
      ['follows', family.follows],
      ['waves', details.waves.map((wave) => wave.length).join(' → ') + ' sites'],
      ['soak', `${family.soakSeconds} s`],
      ['keep', family.keepMode === 'last' ? `last ${family.keepLast}` : family.keepMode],
      ['channels', details.channels.map((c) => `${c.name}=${c.version}`).join(', ')],
    ]),
    renderTable(
      ['VERSION', 'CHANNELS', 'WAVE', 'HALTED', 'SITES'],
      details.versions.map((v) => [
        v.version,
        v.channels.join(','),
        v.wave + 1,
        v.haltedReason,
        siteStates(v),
      ]),
    ),
  ].join('\n');
}
