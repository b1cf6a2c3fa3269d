import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../registry/audit-log.js';
import { serviceRegistrationSchema } from '../../registry/registration-schema.js';
import type { RegistryService } from '../../registry/registry-service.js';
import type { ServiceRecord } from '../../registry/registry-types.js';
import {
  listServicesQuery,
  pageOf,
  serviceDetailSchema,
  serviceIdParams,
  serviceListItemSchema,
  serviceSchema,
} from '../api-schemas.js';
import type { RouteGuards } from '../route-guards.js';
import { mountRoute, type RouteSpec } from '../route-spec.js';

/** What the engine reports about one instance, for `GET /services/{id}`. */
export type InstanceRuntime = (serviceId: string) => {
  breaker_state: 'closed' | 'open' | 'half_open';
  current_load: number;
  queued: number;
};

export const serviceRouteSpecs = {
  register: {
    method: 'post',
    path: '/services/register',
    summary: 'Register or update a service instance with its tools',
    description:
      'Idempotent upsert on service_id; the tools are replaced atomically. With mcp_url and no tools, the hub discovers them with tools/list.',
    tag: 'services',
    scope: 'registry:write',
    body: serviceRegistrationSchema,
    responses: {
      200: ['the instance as stored', serviceDetailSchema],
      403: ['the service_id or service_name belongs to another identity'],
      409: ['a tool name belongs to another service'],
    },
  },
  deregister: {
    method: 'post',
    path: '/services/:id/deregister',
    summary: 'Take an instance out of rotation and mark it inactive',
    tag: 'services',
    scope: 'registry:write',
    params: serviceIdParams,
    responses: { 200: ['the instance, now inactive', serviceSchema] },
  },
  heartbeat: {
    method: 'put',
    path: '/services/:id/heartbeat',
    summary: 'Refresh last_seen; 404 tells the spoke to register again',
    tag: 'services',
    scope: 'registry:write',
    params: serviceIdParams,
    responses: {
      200: [
        'acknowledged',
        z.object({ service_id: z.string(), last_seen: z.string(), ttl_seconds: z.number() }),
      ],
    },
  },
  list: {
    method: 'get',
    path: '/services',
    summary: 'Search instances (name, tag, healthy, active) with keyset pagination',
    tag: 'services',
    scope: 'registry:read',
    query: listServicesQuery,
    responses: {
      200: ['a page of instances, each with its breaker state and load', pageOf(serviceListItemSchema)],
    },
  },
  get: {
    method: 'get',
    path: '/services/:id',
    summary: 'One instance with health, breaker state, load and its tools',
    tag: 'services',
    scope: 'registry:read',
    params: serviceIdParams,
    responses: { 200: ['the instance', serviceDetailSchema] },
  },
} satisfies Record<string, RouteSpec>;

/** The caller of a registry write, as the auth guard identified it. */
function actorOf(req: Request, res: Response): Actor {
  return {
    identity: (res.locals.identity as string | undefined) ?? 'anonymous',
    address: req.ip,
    admin: res.locals.admin === true,
  };
}

type ServiceView = Omit<ServiceRecord, 'upstream_headers_sealed'> & { upstream_credentials: boolean };

/**
 * A service row as the API shows it: whether it has upstream credentials, never the credentials
 * (not even sealed).
 *
 * Written field by field rather than as `{ ...rest }` of a rest pattern: V8 builds rest and spread
 * copies of a 30-field object as dictionaries (~2.5 KB each): a page of 50 allocated 302 KB against
 * 138 KB built field by field (`npx tsx bench/request-allocation.ts`, before rows' JSON was kept by
 * rowJsonOf). The return type makes a field added to ServiceRecord a compile error here.
 */
function shown(service: ServiceRecord): ServiceView {
  return {
    service_id: service.service_id,
    service_name: service.service_name,
    address: service.address,
    port: service.port,
    mcp_url: service.mcp_url,
    version: service.version,
    tags: service.tags,
    meta: service.meta,
    tool_prefix: service.tool_prefix,
    health_check_url: service.health_check_url,
    health_check_interval: service.health_check_interval,
    is_healthy: service.is_healthy,
    consecutive_failures: service.consecutive_failures,
    last_health_check: service.last_health_check,
    last_failure_reason: service.last_failure_reason,
    weight: service.weight,
    current_load: service.current_load,
    registered_at: service.registered_at,
    updated_at: service.updated_at,
    last_seen: service.last_seen,
    ttl_seconds: service.ttl_seconds,
    is_active: service.is_active,
    owner: service.owner,
    tools_discovered: service.tools_discovered,
    namespace: service.namespace,
    shared_session: service.shared_session,
    upstream_credentials: service.upstream_headers_sealed !== null,
  };
}

/**
 * The JSON text of a service row as the API shows it, less `current_load` (the engine's figure is
 * the one shown) and the closing brace, made once per row object. Rows are never changed in place:
 * a heartbeat, a health check or a re-registration puts a new row object in the registry
 * (registry-directory.ts), so text kept for an object stays true for it. Serialising the row was
 * most of a registry page's work: JSON.stringify calls each row's four Dates' toJSON, and took
 * 28 % of the hub's busy time on `GET /services?limit=50` at 10,000 instances (--cpu-prof).
 */
const rowJson = new WeakMap<ServiceRecord, string>();

function rowJsonOf(service: ServiceRecord): string {
  let json = rowJson.get(service);
  if (json === undefined) {
    const { current_load: _shownByTheEngine, ...row } = shown(service);
    json = JSON.stringify(row).slice(0, -1);
    rowJson.set(service, json);
  }
  return json;
}

/** A listed instance as JSON text: its row with what the engine reports about it now. */
function listedJson(service: ServiceRecord, now: ReturnType<InstanceRuntime>): string {
  return `${rowJsonOf(service)},${JSON.stringify(now).slice(1)}`;
}

/** Sends JSON text the routes assembled themselves (what `res.json` would send for the object). */
function sendJson(res: Response, json: string): void {
  res.type('application/json').send(json);
}

export function serviceRoutes(
  registry: RegistryService,
  runtime: InstanceRuntime,
  guards: RouteGuards,
): Router {
  const router = Router();
  const s = serviceRouteSpecs;
  // One instance with its tools (and a registration's warnings) as JSON text, from its kept row.
  const detailJson = (service: ServiceRecord, tools: unknown[], warnings: unknown[] = []) =>
    `${listedJson(service, runtime(service.service_id)).slice(0, -1)},"tools":${JSON.stringify(tools)}${
      warnings.length > 0 ? `,"warnings":${JSON.stringify(warnings)}` : ''
    }}`;

  mountRoute(router, s.register, guards.for(s.register), async ({ body, req, res }) => {
    const { service, tools, warnings } = await registry.register(body, actorOf(req, res));
    sendJson(res, detailJson(service, tools, warnings));
  });
  mountRoute(router, s.deregister, guards.for(s.deregister), async ({ params, req, res }) =>
    shown(await registry.deregister(params.id, actorOf(req, res))),
  );
  mountRoute(router, s.heartbeat, guards.for(s.heartbeat), async ({ params, req, res }) => {
    const service = await registry.heartbeat(params.id, actorOf(req, res));
    return { service_id: service.service_id, last_seen: service.last_seen, ttl_seconds: service.ttl_seconds };
  });
  // The lookups answer text assembled from each row's kept JSON (rowJsonOf).
  mountRoute(router, s.list, guards.for(s.list), async ({ query, res }) => {
    const page = await registry.list(query);
    const items = page.items.map((item) => listedJson(item, runtime(item.service_id)));
    sendJson(res, `{"items":[${items.join(',')}],"next_cursor":${JSON.stringify(page.next_cursor)}}`);
  });
  mountRoute(router, s.get, guards.for(s.get), async ({ params, res }) => {
    const { service, tools } = await registry.get(params.id);
    sendJson(res, detailJson(service, tools));
  });
  return router;
}
