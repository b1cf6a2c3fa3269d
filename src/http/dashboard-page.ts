import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { packageRoot } from '../shared/package-root.js';

/**
 * The dashboard: its page at `/` and its assets under `/dashboard/`, built by `npm run build`
 * (scripts/build-dashboard.ts) into dist/dashboard. Everything is same-origin (no CDN, works
 * offline) and the page reads the hub through the REST API with the user's key, so it is behind
 * the same auth as the API without a login of its own.
 */
export function dashboardRouter(): Router {
  const router = express.Router();
  const built = join(packageRoot(), 'dist', 'dashboard');
  // No inline script or style: the strictest policy that lets the page work.
  const policy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  router.get('/', (_req, res) => {
    const page = join(built, 'index.html');
    if (!existsSync(page)) {
      res
        .status(503)
        .type('text')
        .send('The dashboard is not built in this checkout: run `npm run build`.\n');
      return;
    }
    res.setHeader('Content-Security-Policy', policy).sendFile(page);
  });
  router.use(
    '/dashboard',
    (_req, res, next) => {
      res.setHeader('Content-Security-Policy', policy);
      next();
    },
    express.static(built, { index: false, fallthrough: false }),
  );
  return router;
}
