import type { Queryable } from './queryable';

/** One change, for the trail: whose object, who did it, what and to what. Never holds a secret. */
export interface AuditEvent {
  ownerId: string;
  /** Null for what Glint did on its own (self-healing). */
  actorId: string | null;
  /** `<target type>.<past tense>`, e.g. site.created. */
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export function auditRepository(db: Queryable) {
  return {
    async record(event: AuditEvent): Promise<void> {
      await db.query(
        `INSERT INTO audit_events (owner_id, actor_id, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          event.ownerId,
          event.actorId,
          event.action,
          event.targetType,
          event.targetId,
          event.details ?? {},
        ],
      );
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
