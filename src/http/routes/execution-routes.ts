import { Router } from 'express';
import { z } from 'zod';
import { mapDatabaseError } from '../../db/pg-errors.js';
import { HubError } from '../../errors.js';
import type { Engine } from '../../execution/engine.js';
import type { ExecutionRepository } from '../../execution/execution-repository.js';
import { executionIdParams, executionSchema, listExecutionsQuery, pageOf } from '../api-schemas.js';
import type { RouteGuards } from '../route-guards.js';
import { mountRoute, type RouteSpec } from '../route-spec.js';
import { executionView } from './tool-routes.js';

export const executionRouteSpecs = {
  list: {
    method: 'get',
    path: '/executions',
    summary:
      'Execution history, newest first (filters: tool, service, status, since, until; keyset pagination)',
    tag: 'executions',
    scope: 'registry:read',
    query: listExecutionsQuery,
    responses: { 200: ['a page of executions', pageOf(executionSchema)] },
  },
  get: {
    method: 'get',
    path: '/executions/:id',
    summary: "One execution's status: running ones from memory, finished ones from the history",
    tag: 'executions',
    scope: 'registry:read',
    params: executionIdParams,
    responses: { 200: ['the execution', executionSchema] },
  },
  cancel: {
    method: 'post',
    path: '/executions/:id/cancel',
    summary: 'Cancel a running execution; the upstream call is aborted and the spoke is told',
    tag: 'executions',
    scope: 'admin',
    params: executionIdParams,
    responses: {
      202: [
        'cancellation requested',
        z.object({ execution_id: z.string(), status: z.literal('cancelling') }),
      ],
      409: ['the execution has already finished'],
    },
  },
} satisfies Record<string, RouteSpec>;

export function executionRoutes(
  executions: ExecutionRepository,
  engine: Engine,
  guards: RouteGuards,
  flushHistory: () => Promise<void>,
): Router {
  const router = Router();
  const s = executionRouteSpecs;
  const db = async <T>(work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      throw mapDatabaseError(error);
    }
  };
  const canSeeInput = (res: { locals: Record<string, unknown> }) => res.locals.showInputs !== false;

  mountRoute(router, s.list, guards.for(s.list), async ({ query, res }) => {
    const page = await db(() => executions.list(query));
    return { ...page, items: page.items.map((r) => executionView(r, canSeeInput(res))) };
  });
  mountRoute(router, s.get, guards.for(s.get), async ({ params, res }) => {
    const live = engine.running(params.id);
    if (live) return executionView(live, canSeeInput(res));
    let stored = await db(() => executions.get(params.id));
    if (!stored) {
      // It may have just finished and still sit in the outbox.
      await flushHistory();
      stored = await db(() => executions.get(params.id));
    }
    if (!stored) throw new HubError('execution_not_found', `execution ${params.id} does not exist`);
    return executionView(stored, canSeeInput(res));
  });
  mountRoute(router, s.cancel, guards.for(s.cancel), async ({ params }) => {
    if (engine.cancel(params.id)) return { execution_id: params.id, status: 'cancelling' as const };
    // A call that just finished may still sit in the history outbox.
    await flushHistory();
    const stored = await db(() => executions.get(params.id));
    if (stored)
      throw new HubError(
        'execution_finished',
        `execution ${params.id} has already finished (${stored.status})`,
      );
    throw new HubError('execution_not_found', `execution ${params.id} is not running`);
  });
  return router;
}
