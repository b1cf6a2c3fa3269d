import type { RequestHandler } from 'express';
import type { RouteSpec } from './route-spec.js';

/** Middleware a route needs before its handler (auth for its scope, rate limits); supplied by the app. */
export interface RouteGuards {
  for(spec: RouteSpec): RequestHandler[];
}
