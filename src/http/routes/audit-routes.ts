import { Router } from 'express';
import { mapDatabaseError } from '../../db/pg-errors.js';
import type { AuditLog } from '../../registry/audit-log.js';
import { auditEntrySchema, listAuditQuery, pageOf } from '../api-schemas.js';
import type { RouteGuards } from '../route-guards.js';
import { mountRoute, type RouteSpec } from '../route-spec.js';

export const auditRouteSpecs = {
  list: {
    method: 'get',
    path: '/audit',
    summary:
      'The registry audit trail, newest first: every registration, deregistration, expiry and refused attempt',
    description:
      'Who (API key name, or "anonymous"), from which address, what, and the outcome. Admin scope only.',
    tag: 'audit',
    scope: 'admin',
    query: listAuditQuery,
    responses: { 200: ['a page of audit entries', pageOf(auditEntrySchema)] },
  },
} satisfies Record<string, RouteSpec>;

export function auditRoutes(audit: AuditLog, guards: RouteGuards): Router {
  const router = Router();
  mountRoute(router, auditRouteSpecs.list, guards.for(auditRouteSpecs.list), async ({ query }) => {
    try {
      return await audit.list(query);
    } catch (error) {
      throw mapDatabaseError(error);
    }
  });
  return router;
}
