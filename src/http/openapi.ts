import { type ZodType, z } from 'zod';
import { errorResponseSchema } from './api-schemas.js';
import type { RouteSpec } from './route-spec.js';

const ERROR_STATUSES: Record<number, string> = {
  400: 'invalid input: details lists each failing field path',
  401: 'missing or wrong API key (when auth is on)',
  403: 'the API key lacks the scope',
  404: 'not found',
  413: 'body over the limit',
  415: 'body is not application/json',
  429: 'rate limited (Retry-After)',
};

/** JSON Schema of a zod schema for OpenAPI 3.1 (which uses JSON Schema 2020-12). */
function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(specs: RouteSpec[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = `/api/v1${spec.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', spec.params],
      ['query', spec.query],
    ] as const) {
      if (!schema) continue;
      const object = jsonSchema(schema, 'input') as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(object.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (object.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, [description, schema]] of Object.entries(spec.responses)) {
      responses[status] = schema
        ? { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } }
        : {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          };
    }
    for (const [status, description] of Object.entries(ERROR_STATUSES)) {
      responses[status] ??= {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      operationId: `${spec.method}${spec.path.replace(/[/:{}]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      security: [{ bearer: [spec.scope] }, {}],
      'x-required-scope': spec.scope,
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  paths['/health'] = {
    get: {
      summary: 'Liveness and readiness (database, shutdown)',
      tags: ['operations'],
      responses: {
        200: { description: 'ready' },
        503: { description: 'not ready (database down or shutting down)' },
      },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics',
      tags: ['operations'],
      responses: { 200: { description: 'text exposition format' } },
    },
  };
  paths['/mcp'] = {
    post: {
      summary:
        'MCP streamable HTTP endpoint (JSON-RPC); GET opens the notification stream, DELETE ends the session',
      tags: ['mcp'],
      responses: { 200: { description: 'JSON-RPC response or SSE stream' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'fin-hub registry API',
      version: info.version,
      description:
        'Spokes register here; agents read the catalogue and run tools. Every error has the shape {"error": {"code", "message", "details"}}.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key (required when auth is on)' },
      },
      schemas: { Error: jsonSchema(errorResponseSchema, 'output') },
    },
    paths,
  };
}
