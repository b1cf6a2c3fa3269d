import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/tables.js';
import { HubError } from '../errors.js';
import type { Logger } from '../logger.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import type { Page } from './registry-directory.js';

/** Who asked for a registry write, as the REST layer knows them. */
export interface Actor {
  /** The API key's name; "anonymous" on a hub without keys; "hub" for the hub's own writes (expiry). */
  identity: string;
  /** The client's address (req.ip). */
  address?: string;
  /** Holds the admin scope: may act on services it does not own. */
  admin: boolean;
}

/** One audited registry write or refused attempt. */
export interface AuditEntry {
  action: 'register' | 'deregister' | 'expire';
  outcome: 'ok' | 'forbidden' | 'conflict' | 'invalid' | 'not_found' | 'failed';
  actor: Pick<Actor, 'identity' | 'address'>;
  service_id?: string;
  service_name?: string;
  /** What changed or why it was refused. */
  details?: Record<string, unknown>;
}

/** One row of `registry_audit` as the API shows it (the bigserial id as a string). */
type AuditRow = Omit<Selectable<Database['registry_audit']>, 'audit_id'> & { audit_id: string };

/**
 * The registry's audit trail: a row in `registry_audit` and an info log line for every registration,
 * deregistration and expiry, and for every refused attempt, naming the identity and address. The
 * row is written after the change (a refused change has no transaction to join); a failure to
 * write it is logged and never fails the change itself.
 */
export function createAuditLog(options: { db: Kysely<Database>; logger: Logger }) {
  const { db, logger } = options;
  return {
    async record(entry: AuditEntry): Promise<void> {
      const line = {
        action: entry.action,
        outcome: entry.outcome,
        identity: entry.actor.identity,
        address: entry.actor.address,
        service_id: entry.service_id,
        service_name: entry.service_name,
        ...entry.details,
      };
      if (entry.outcome === 'ok') logger.info('registry write', line);
      else logger.warn('registry write refused', line);
      try {
        await db
          .insertInto('registry_audit')
          .values({
            identity: entry.actor.identity,
            address: entry.actor.address ?? null,
            action: entry.action,
            service_id: entry.service_id ?? null,
            service_name: entry.service_name ?? null,
            outcome: entry.outcome,
            details: entry.details ? JSON.stringify(entry.details) : null,
          })
          .execute();
      } catch (error) {
        logger.warn('audit row not written', { ...line, error: String(error) });
      }
    },

    /** Newest first, keyset on audit_id; optionally one service's entries. */
    async list(filter: { service_id?: string; limit: number; cursor?: string }): Promise<Page<AuditRow>> {
      let query = db
        .selectFrom('registry_audit')
        .selectAll()
        .orderBy('audit_id', 'desc')
        .limit(filter.limit + 1);
      if (filter.service_id) query = query.where('service_id', '=', filter.service_id);
      if (filter.cursor) {
        const after = decodeCursor(filter.cursor, 1)[0]!;
        if (!/^\d{1,19}$/.test(after))
          throw new HubError('validation_failed', 'the cursor is not one this API issued');
        query = query.where('audit_id', '<', after);
      }
      const rows = await query.execute();
      const items = rows.slice(0, filter.limit).map((row) => ({ ...row, audit_id: String(row.audit_id) }));
      const last = items.at(-1);
      return {
        items,
        next_cursor: rows.length > filter.limit && last ? encodeCursor([last.audit_id]) : null,
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
