import type { FastifyInstance } from 'fastify';
import type { SiteType } from '@glint/core';
import type { HoldsCredentials, Repositories } from '@glint/store';
import type { ApiError } from './errors';
import type { ProjectCaller } from './caller';
import { splitCredential, type SiteCredential } from './site-types';

/**
 * What the site and account services share: the audit trail of the caller's own changes,
 * transactions that turn a name taken meanwhile into a 409, and credentials kept in the vault.
 */
export interface AuditTarget {
  type: 'site' | 'account';
  id: string;
}

/** Records a change the caller made to one of their project's sites or accounts. */
export function auditOwnChange(
  repositories: Repositories,
  caller: ProjectCaller,
  target: AuditTarget,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  return repositories.audit.record({
    ownerId: caller.ownerId,
    actorId: caller.userId,
    action,
    targetType: target.type,
    targetId: target.id,
    details,
  });
}

/** Runs a change in a transaction; a unique name (one of `constraints`) taken meanwhile throws `taken`. */
export async function writingNamed<T>(
  fastify: FastifyInstance,
  constraints: readonly string[],
  taken: () => ApiError,
  change: (repositories: Repositories) => Promise<T>,
): Promise<T> {
  try {
    return await fastify.transaction(change);
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint !== undefined && constraints.includes(constraint))
      throw taken();
    throw error;
  }
}

/** Seals the credential for the caller's site, who logs in with it kept beside it for display. */
export function storeCredential(
  fastify: FastifyInstance,
  repositories: HoldsCredentials,
  caller: ProjectCaller,
  site: { id: string; type: SiteType },
  credential: SiteCredential,
): Promise<void> {
  return fastify.credentialVault.store(
    repositories,
    { ownerId: caller.ownerId, siteId: site.id },
    credential,
    splitCredential(site.type, credential).principal,
  );
}

/** The caller's stored credential for the site, or `missing()` thrown when it has none. */
export async function openCredential<Credential extends object = SiteCredential>(
  fastify: FastifyInstance,
  caller: ProjectCaller,
  siteId: string,
  missing: () => ApiError,
): Promise<Credential> {
  const stored = await fastify.credentialVault.find(fastify.repositories, {
    ownerId: caller.ownerId,
    siteId,
  });
  if (!stored) throw missing();
  return stored.open() as Credential;
}
