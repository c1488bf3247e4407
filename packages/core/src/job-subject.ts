interface Payload {
  ownerId?: string;
  requestId?: string;
  siteId?: string;
  source?: { siteId?: string };
  destinations?: { siteId?: string }[];
}

/**
 * Whose a job is, which sites it touches and which request asked for it, read from any kind's
 * payload: what every log line about the job carries, in the API and in the daemons.
 */
export function jobSubject(payload: unknown): {
  ownerId?: string;
  siteIds: string[];
  requestId?: string;
} {
  const data = (payload ?? {}) as Payload;
  const siteIds = [
    data.siteId,
    data.source?.siteId,
    ...(data.destinations ?? []).map((d) => d.siteId),
  ].filter((id): id is string => typeof id === 'string');
  return {
    ...(data.ownerId && { ownerId: data.ownerId }),
    siteIds,
    ...(data.requestId && { requestId: data.requestId }),
  };
}
