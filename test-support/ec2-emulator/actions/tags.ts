/** CreateTags, and the `TagSpecification` parameter of the calls that create resources. */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { tags as tagParams, tagSpecifications, type QueryParams, type Tag } from '../query';
import { tagList, type Tags } from '../state';
import type { XmlValue } from '../xml';

const maxTags = 50;

function applyTags(target: Tags, tags: Tag[]): void {
  for (const tag of tags) {
    if (tag.key.toLowerCase().startsWith('aws:')) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value ( ${tag.key} ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`,
      );
    }
  }
  const merged = new Map(target);
  for (const tag of tags) merged.set(tag.key, tag.value);
  if (merged.size > maxTags) {
    throw new ApiError(
      'TagLimitExceeded',
      `The maximum number of Tags for a resource has been reached.`,
    );
  }
  for (const tag of tags) target.set(tag.key, tag.value);
}

/** The tags a creating call asks for, per resource type; other types are refused, as EC2 does. */
export function requestedTags(params: QueryParams, allowed: string[]): Map<string, Tag[]> {
  const byType = new Map<string, Tag[]>();
  for (const spec of tagSpecifications(params)) {
    if (!allowed.includes(spec.resourceType)) {
      throw new ApiError(
        'InvalidParameterValue',
        `'${spec.resourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    byType.set(spec.resourceType, [...(byType.get(spec.resourceType) ?? []), ...spec.tags]);
  }
  return byType;
}

export function newTags(tags: Tag[] = []): Tags {
  const created: Tags = new Map();
  applyTags(created, tags);
  return created;
}

/** `tagSet`, left out when empty as EC2 leaves it out. */
export function tagSetXml(tags: Tags): XmlValue {
  return tags.size ? tagList(tags) : undefined;
}

export const createTags: Action = ({ state, caller, region, params }) => {
  const ids = params.list('ResourceId');
  const tags = tagParams(params);
  if (!ids.length)
    throw new ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  if (!tags.length)
    throw new ApiError('MissingParameter', 'The request must contain the parameter tagSet');
  const resources = ids.map((id) => {
    const resource = state.taggable(id, region, caller.account.accountId);
    if (resource) return resource;
    if (id.startsWith('ami-'))
      throw new ApiError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    if (id.startsWith('snap-'))
      throw new ApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
  });
  // All or nothing: check every resource's limit before tagging any.
  for (const resource of resources) applyTags(new Map(resource.tags), tags);
  for (const resource of resources) applyTags(resource.tags, tags);
  return { return: true };
};

/**
 * DeleteTags: a tag given with a value goes only if the resource has that value; one given by key
 * alone goes whatever its value; a tag the resource lacks is no error.
 */
export const deleteTags: Action = ({ state, caller, region, params }) => {
  const ids = params.list('ResourceId');
  if (!ids.length)
    throw new ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const resources = ids.map((id) => {
    const resource = state.taggable(id, region, caller.account.accountId);
    if (!resource) throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
    return resource;
  });
  const given = params
    .structs('Tag')
    .map((tag) => ({ key: tag.require('Key'), value: tag.get('Value') }));
  for (const resource of resources) {
    const gone = given.length
      ? given.filter((tag) => tag.value === undefined || resource.tags.get(tag.key) === tag.value)
      : [...resource.tags.keys()].map((key) => ({ key }));
    for (const tag of gone) resource.tags.delete(tag.key);
  }
  return { return: true };
};
