import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type pg from 'pg';
import { RateLimiterRes } from 'rate-limiter-flexible';
import {
  type ApiKey,
  type HubConfig,
  listensOnLoopbackOnly,
  unauthenticatedExposure,
} from '../config/config-schema.js';
import { HubError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorBody } from './error-middleware.js';
import { createRateLimiters } from './rate-limiters.js';
import type { RouteGuards } from './route-guards.js';
import type { RouteSpec, Scope } from './route-spec.js';

/** Auth is required when keys are configured, and whenever the hub listens beyond loopback. */
function authRequired(config: Pick<HubConfig, 'host' | 'auth'>): boolean {
  return config.auth.keys.length > 0 || !listensOnLoopbackOnly(config);
}

interface Identity {
  name: string;
  scopes: Set<Scope>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Bearer API keys with scopes, and per-identity rate limits. Keys are compared as SHA-256 digests
 * with timingSafeEqual, over every key, so timing does not depend on which key (or prefix) matched.
 */
export function createAccessControl(options: {
  config: HubConfig;
  logger: Logger;
  /** PostgreSQL to keep the rate-limit counters in, shared with the other hubs (rate-limiters.ts). */
  sharedLimits?: { pool: pg.Pool; schema: string };
}) {
  const { config, logger } = options;
  const enabled = authRequired(config) && !config.auth.allowUnauthenticated;
  const exposure = unauthenticatedExposure(config);
  if (exposure) throw new HubError('unauthorized', exposure);
  if (config.auth.allowUnauthenticated && !listensOnLoopbackOnly(config)) {
    logger.warn(
      `AUTH DISABLED on ${config.host}: anyone who can reach this port can register services and call tools`,
    );
  }
  const keys = config.auth.keys.map((k: ApiKey) => ({
    name: k.name,
    digest: digest(k.key),
    scopes: new Set<Scope>(k.scopes),
  }));
  const limiters = createRateLimiters(config, options.sharedLimits);

  function identify(req: Request): Identity | undefined | null {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return null;
    const presented = digest(match[1]!);
    let found: (typeof keys)[number] | undefined;
    for (const key of keys) if (timingSafeEqual(key.digest, presented)) found = key;
    return found ? { name: found.name, scopes: found.scopes } : null;
  }

  function authenticate(scope: Scope, mcp: boolean): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (!enabled) {
        res.locals.identity = 'anonymous';
        return next();
      }
      const identity = identify(req);
      if (!identity) {
        if (mcp)
          res.setHeader(
            'WWW-Authenticate',
            `Bearer realm="fin-hub", error="invalid_token", scope="${scope}"`,
          );
        else res.setHeader('WWW-Authenticate', 'Bearer realm="fin-hub"');
        const message =
          identity === undefined
            ? 'an API key is required (Authorization: Bearer <key>)'
            : 'the API key is not valid';
        if (mcp)
          return void res.status(401).json({ jsonrpc: '2.0', id: null, error: { code: -32001, message } });
        return void res.status(401).json(errorBody('unauthorized', message));
      }
      if (!identity.scopes.has(scope) && !identity.scopes.has('admin')) {
        const message = `the API key "${identity.name}" lacks the scope ${scope}`;
        if (mcp)
          return void res.status(403).json({ jsonrpc: '2.0', id: null, error: { code: -32001, message } });
        return void res.status(403).json(errorBody('forbidden', message));
      }
      res.locals.identity = identity.name;
      res.locals.showInputs = identity.scopes.has('admin');
      res.locals.admin = identity.scopes.has('admin');
      next();
    };
  }

  function rateLimit(kind: 'write' | 'call'): RequestHandler {
    return async (req, res, next) => {
      const key =
        (res.locals.identity as string | undefined) === 'anonymous' || !res.locals.identity
          ? `ip:${req.ip}`
          : `key:${res.locals.identity}`;
      try {
        await limiters[kind].consume(key);
        next();
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) return next(rejection);
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        next(
          new HubError('rate_limited', `rate limit reached; retry in ${seconds} s`, undefined, {
            retryAfterSeconds: seconds,
          }),
        );
      }
    };
  }

  const routeGuards: RouteGuards = {
    for(spec: RouteSpec) {
      const guards = [authenticate(spec.scope, false)];
      if (spec.scope === 'registry:write') guards.push(rateLimit('write'));
      if (spec.scope === 'tools:call') guards.push(rateLimit('call'));
      return guards;
    },
  };

  return {
    enabled,
    routeGuards,
    /**
     * The /mcp guard's decision as a plain function, for the raw front (src/mcp/raw-mcp-front.ts):
     * the identity when the Authorization header grants tools:call, undefined otherwise (the
     * request then goes through express, which answers 401 or 403).
     */
    admitMcp(authorization: string | undefined): { identity: string; showInputs: boolean } | undefined {
      if (!enabled) return { identity: 'anonymous', showInputs: true };
      const identity = identify({ headers: { authorization } } as Request);
      if (!identity || (!identity.scopes.has('tools:call') && !identity.scopes.has('admin')))
        return undefined;
      return { identity: identity.name, showInputs: identity.scopes.has('admin') };
    },
    /** Takes one call from the limit of `identity` (or of the IP when anonymous); seconds to wait, or 0. */
    async consumeCall(identity: string, ip: string | undefined): Promise<number> {
      try {
        await limiters.call.consume(identity === 'anonymous' ? `ip:${ip}` : `key:${identity}`);
        return 0;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
    },
    /** Adds this hub's recent tool calls to the counters shared with other hubs (rate-limiters.ts). */
    syncLimits: () => limiters.sync(),
    close: () => limiters.close(),
    /** /mcp: tools:call for everything (listing and calling); each request counts against the call limit. */
    mcpGuards(): RequestHandler[] {
      return [authenticate('tools:call', true), rateLimit('call')];
    },
  };
}

export type AccessControl = ReturnType<typeof createAccessControl>;
