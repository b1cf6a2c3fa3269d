import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { ZodType, z } from 'zod';
import { HubError } from '../errors.js';

/** Scopes an API key can carry (see the auth middleware). */
export type Scope = 'registry:write' | 'registry:read' | 'tools:call' | 'admin';

/**
 * One REST route: its validation schemas and its documentation are the same objects, so the
 * OpenAPI document cannot drift from what the route accepts.
 */
export interface RouteSpec<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path under /api/v1, e.g. `/services/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  scope: Scope;
  params?: P;
  query?: Q;
  body?: B;
  /** Status → [description, schema]. Error statuses are added to the document by default. */
  responses: Record<number, [string, ZodType?]>;
}

export interface ValidatedRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/** Turns zod issues into the `details` of a 400: one entry per failing field path. */
function validationError(error: z.ZodError, where: string): HubError {
  const details = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = details[0];
  return new HubError('validation_failed', `invalid request: ${first?.path}: ${first?.message}`, details);
}

/** Mounts a route: validates params, query and body with its schemas, then calls the handler. */
export function mountRoute<P extends ZodType, Q extends ZodType, B extends ZodType>(
  router: Router,
  spec: RouteSpec<P, Q, B>,
  guards: RequestHandler[],
  handler: (input: ValidatedRequest<z.infer<P>, z.infer<Q>, z.infer<B>>) => unknown,
): void {
  router[spec.method](spec.path, ...guards, async (req: Request, res: Response, next: NextFunction) => {
    const parse = <T extends ZodType | undefined>(schema: T, value: unknown, where: string) => {
      if (!schema) return value;
      const result = schema.safeParse(value);
      if (!result.success) throw validationError(result.error, where);
      return result.data;
    };
    try {
      const params = parse(spec.params, req.params, 'params') as z.infer<P>;
      const query = parse(spec.query, req.query, 'query') as z.infer<Q>;
      const body = parse(spec.body, req.body ?? {}, 'body') as z.infer<B>;
      const result = await handler({ params, query, body, req, res });
      if (!res.headersSent) {
        const status = Number(Object.keys(spec.responses).find((s) => Number(s) < 300) ?? 200);
        res.status(res.statusCode !== 200 ? res.statusCode : status).json(result);
      }
    } catch (error) {
      next(error);
    }
  });
}
