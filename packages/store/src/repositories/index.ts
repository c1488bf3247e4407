import type { Pool } from 'pg';
import { accountsRepository } from './accounts';
import { auditRepository } from './audit';
import { credentialsRepository } from './credentials';
import { historyRepository } from './history';
import { inventoryRepository } from './inventory';
import { jobsRepository } from './jobs';
import { matrixRepository } from './matrix';
export type {
  JobFilter,
  JobOperation,
  JobPart,
  JobRecord,
  JobsRepository,
  JobState,
  NewJob,
  PendingJob,
} from './jobs';
export type {
  OpenJob,
  DriftedCell,
  Placement,
  PlacementsRepository,
  PlanCopy,
  PlanFacts,
  PlanImage,
  PlanSite,
} from './placements';
import { placementsRepository } from './placements';
import { projectsRepository } from './projects';
import { releasesRepository } from './releases';
import { rulePlacementsRepository } from './rule-placements';
import { rulesRepository } from './rules';
import type { Queryable } from './queryable';
import { sitesRepository } from './sites';
import { usersRepository } from './users';

export type { Queryable } from './queryable';
export {
  accountNameConstraint,
  type AccountRecord,
  type AccountSite,
  type AccountsRepository,
  type AccountType,
} from './accounts';
export type { AuditEvent, AuditRepository } from './audit';
export type {
  CredentialsRepository,
  StoredCredential,
  StoredSealedCredential,
} from './credentials';
export type { HistoryRepository, InventoryHour, SiteHour, TransferHour } from './history';
export type { InventoryOutcome, InventoryRepository, SeenCopy, SiteImage } from './inventory';
export type {
  CellFacts,
  FamilySummary,
  FamilyVersionRef,
  MatrixColumn,
  MatrixFilter,
  MatrixRepository,
  MatrixRow,
  MatrixSort,
  MatrixSortKey,
} from './matrix';
export { matrixSortKeys } from './matrix';
export {
  siteNameConstraint,
  type SelfHeal,
  type SiteConfig,
  type SiteRecord,
  type SitesRepository,
} from './sites';
export type { ProjectIdentity, ProjectsRepository } from './projects';
export {
  familyNameConstraint,
  versionConstraints,
  type ChannelRecord,
  type CopyAttempt,
  type FamilyInput,
  type FamilyRecord,
  type ReleasesRepository,
  type RolloutFacts,
  type RolloutSite,
  type VersionCopy,
  type VersionRecord,
  type VersionSite,
} from './releases';
export {
  ruleNameConstraint,
  type RuleDefinition,
  type RuleRecord,
  type RulesRepository,
} from './rules';
export type {
  DecidedCell,
  RuleFacts,
  RuleImage,
  RulePlacementsRepository,
  RuleSite,
  RuleWrites,
} from './rule-placements';
export type { UserIdentity, UserRecord, UsersRepository } from './users';

export function repositoriesOn(db: Queryable) {
  return {
    users: usersRepository(db),
    projects: projectsRepository(db),
    sites: sitesRepository(db),
    accounts: accountsRepository(db),
    credentials: credentialsRepository(db),
    audit: auditRepository(db),
    inventory: inventoryRepository(db),
    matrix: matrixRepository(db),
    placements: placementsRepository(db),
    rules: rulesRepository(db),
    rulePlacements: rulePlacementsRepository(db),
    jobs: jobsRepository(db),
    history: historyRepository(db),
    releases: releasesRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** Runs `work` with repositories on one connection inside a transaction, committed if `work` succeeds. */
export async function withTransaction<T>(
  pool: Pool,
  work: (repositories: Repositories) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A connection lost while no query of the transaction runs (its work awaits Redis, say) is an
  // 'error' event, which unheard would end the process: the transaction fails instead, and the
  // broken connection is destroyed rather than handed out again.
  let lost: Error | undefined;
  const onLost = (error: Error) => (lost = error);
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const result = await work(repositoriesOn(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!lost) await client.query('ROLLBACK');
    throw error;
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}
