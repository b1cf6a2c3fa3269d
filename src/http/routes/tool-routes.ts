import { Router } from 'express';
import { HubError } from '../../errors.js';
import type { Engine } from '../../execution/engine.js';
import type { ExecutionRecord } from '../../execution/execution-record.js';
import type { RegistryService } from '../../registry/registry-service.js';
import { CallAbortController } from '../../shared/call-abort.js';
import {
  executeToolBody,
  executionSchema,
  listToolsQuery,
  pageOf,
  toolIdParams,
  toolSchema,
} from '../api-schemas.js';
import type { RouteGuards } from '../route-guards.js';
import { mountRoute, type RouteSpec } from '../route-spec.js';

export const toolRouteSpecs = {
  list: {
    method: 'get',
    path: '/tools',
    summary:
      'The tool catalogue with per-tool statistics (filters: category, tag, service; q: ranked search)',
    tag: 'tools',
    scope: 'registry:read',
    query: listToolsQuery,
    responses: { 200: ['a page of tools', pageOf(toolSchema)] },
  },
  get: {
    method: 'get',
    path: '/tools/:id',
    summary: 'One tool by its MCP name, with statistics and the instances offering it',
    tag: 'tools',
    scope: 'registry:read',
    params: toolIdParams,
    responses: { 200: ['the tool', toolSchema] },
  },
  execute: {
    method: 'post',
    path: '/tools/:id/execute',
    summary: 'Run a tool through the same engine as MCP; answers with the execution record',
    description:
      'Body {"arguments": {...}, "timeout_seconds"?: n}. 200 with the record whatever the tool answered (status success, error, timeout, cancelled or rejected); 503 with Retry-After when every instance is busy or broken.',
    tag: 'tools',
    scope: 'tools:call',
    params: toolIdParams,
    body: executeToolBody,
    responses: {
      200: ['the finished execution', executionSchema],
      503: ['no instance can take the call now'],
    },
  },
} satisfies Record<string, RouteSpec>;

/** The execution record as REST shows it (input only to admins, see the auth middleware). */
export function executionView(record: ExecutionRecord, showInput: boolean) {
  const { arguments: args, ...rest } = record;
  return showInput ? { ...rest, arguments: args } : rest;
}

export function toolRoutes(registry: RegistryService, engine: Engine, guards: RouteGuards): Router {
  const router = Router();
  const s = toolRouteSpecs;
  mountRoute(router, s.list, guards.for(s.list), ({ query }) => {
    const { q, ...filter } = query;
    return q === undefined
      ? registry.listTools(filter)
      : { items: registry.searchTools(q, filter), next_cursor: null };
  });
  mountRoute(router, s.get, guards.for(s.get), ({ params }) => registry.getTool(params.id));
  mountRoute(router, s.execute, guards.for(s.execute), async ({ params, body, req, res }) => {
    // A client that hangs up cancels its call (not an AbortController: see call-abort.ts).
    const abandoned = new CallAbortController();
    res.on('close', () => {
      if (!res.writableFinished) abandoned.abort(new Error('client disconnected'));
    });
    const record = await engine.execute({
      tool: params.id,
      arguments: body.arguments,
      timeoutSeconds: body.timeout_seconds,
      correlationId: res.locals.correlationId,
      signal: abandoned.signal,
      caller: { userAgent: req.get('user-agent'), ip: req.ip },
    });
    if (record.status === 'rejected' && record.error?.code === 'invalid_arguments') {
      throw new HubError('validation_failed', record.error.message, [
        { path: 'body.arguments', message: record.error.message, execution_id: record.execution_id },
      ]);
    }
    if (
      record.status === 'rejected' &&
      record.error &&
      ['instance_busy', 'breaker_open', 'no_healthy_instance'].includes(record.error.code)
    ) {
      const error = new HubError(
        record.error.code as 'instance_busy',
        record.error.message,
        { execution_id: record.execution_id },
        {
          retryAfterSeconds: record.error.code === 'instance_busy' ? 1 : 5,
        },
      );
      throw error;
    }
    return executionView(record, true);
  });
  return router;
}
