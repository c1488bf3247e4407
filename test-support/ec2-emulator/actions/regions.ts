/** DescribeRegions: the enabled regions, or all with their opt-in status (`AllRegions`). */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { matchesFilters } from '../filters';
import { filters } from '../query';

export const describeRegions: Action = ({ state, caller, params }) => {
  const all = params.flag('AllRegions') ?? false;
  const names = params.list('RegionName');
  for (const name of names) {
    if (!state.regions.some((r) => r.name === name)) {
      throw new ApiError('InvalidParameterValue', `Invalid region: ${name}`);
    }
  }
  const wanted = filters(params);
  const regionInfo = state.regions
    .map((region) => {
      const enabled = caller.account.regions.includes(region.name);
      const optInStatus = !enabled
        ? 'not-opted-in'
        : region.optIn
          ? 'opted-in'
          : 'opt-in-not-required';
      return { region, enabled, optInStatus };
    })
    .filter(
      ({ region, enabled }) => (all || enabled) && (!names.length || names.includes(region.name)),
    )
    .filter(({ region, optInStatus }) =>
      matchesFilters(
        wanted,
        {
          'region-name': region.name,
          'opt-in-status': optInStatus,
          endpoint: `ec2.${region.name}.amazonaws.com`,
        },
        new Map(),
      ),
    )
    .map(({ region, optInStatus }) => ({
      regionName: region.name,
      regionEndpoint: `ec2.${region.name}.amazonaws.com`,
      optInStatus,
    }));
  return { regionInfo };
};
