/**
 * The API's request bodies and replies as TypeScript types, derived from the route schemas: the one
 * source the CLI and the panel read them from (`import type … from '@glint/api/replies'`), so a
 * schema change breaks their build instead of drifting from them. Type-only: package.json exports
 * it under the `types` condition alone, so no client can bundle the server's code through it.
 */

import type { Static } from '@fastify/type-provider-typebox';
import type { Account, AccountDetail } from './schemas/accounts';
import type { LoginReply, ProjectList, SessionReply } from './schemas/auth';
import type { SiteHistory, TransferHistory } from './schemas/history';
import type { ImageDetails, ImportPresent, ImportQueued, Uploaded } from './schemas/images';
import type { Job, JobList } from './schemas/jobs';
import type { Matrix } from './schemas/matrix';
import type { Me } from './schemas/me';
import type { FamilyBody, FamilyDetails, Families, Version } from './schemas/releases';
import type { PlannedChange, ReleasePlan } from './schemas/release-plans';
import type { ApplyReply, PlanBody, PlanReply } from './schemas/placements';
import type { SiteTypeList } from './schemas/site-types';
import type { CreatedSite, Site, SiteHealth } from './schemas/sites';
import type { RemovalPlan, Rule, RuleBody, RulePlan, SavedRule } from './schemas/rules';

export type { Matrix, Me, PlanBody, ImageDetails };
export type MatrixColumn = Matrix['columns'][number];
export type MatrixRow = Matrix['rows'][number];
export type MatrixCell = MatrixRow['cells'][number];
export type MatrixFamily = Matrix['families'][number];
export type CellState = MatrixCell['state'];
export type SelfHeal = MatrixCell['selfHeal'];
/** One cell of a plan's `changes`. */
export type PlanChange = Extract<PlanBody, { changes: unknown }>['changes'][number];
export type Plan = Static<typeof PlanReply>;
export type Applied = Static<typeof ApplyReply>;

export type Site = Static<typeof Site>;
export type CreatedSite = Static<typeof CreatedSite>;
export type SiteHealth = Static<typeof SiteHealth>;
export type { SiteTypeList };
export type SiteTypeInfo = SiteTypeList['siteTypes'][number];
export type CredentialKindInfo = SiteTypeInfo['credentialKinds'][number];
export type Account = Static<typeof Account>;
export type AccountDetail = Static<typeof AccountDetail>;

export type Job = Static<typeof Job>;
export type JobPart = Job['parts'][number];
export type JobOperation = Job['operation'];
export type JobState = Job['state'];
export type JobList = Static<typeof JobList>;

export type Uploaded = Static<typeof Uploaded>;
export type Imported = Static<typeof ImportQueued> | Static<typeof ImportPresent>;

export type LoginReply = Static<typeof LoginReply>;
export type SessionReply = Static<typeof SessionReply>;
export type ProjectList = Static<typeof ProjectList>;
export type TransferHistory = Static<typeof TransferHistory>;
export type SiteHistory = Static<typeof SiteHistory>;

export type { FamilyDetails };
export type ReleaseFamilies = Static<typeof Families>;
export type ReleaseFamily = ReleaseFamilies['families'][number];
/** POST /api/v1/releases' body; PATCH takes its fields but the name, each optional. */
export type ReleaseFamilyBody = FamilyBody;
export type ReleaseVersion = Static<typeof Version>;
export type VersionSite = ReleaseVersion['sites'][number];
export type SiteStage = VersionSite['state'];
/** What a rollout action would change on which site (POST /releases/{family}/{action}/plan). */
export type { ReleasePlan, PlannedChange };
export type ReleasePlanAction = ReleasePlan['action'];
export type Rule = Static<typeof Rule>;
export type { RuleBody, RulePlan, RemovalPlan };
export type SavedRule = Static<typeof SavedRule>;
