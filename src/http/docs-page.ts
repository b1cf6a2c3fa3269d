import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);

/** Interactive API docs at /docs, served from the swagger-ui-dist package (works offline, no CDN). */
export function docsRouter(): Router {
  const router = express.Router();
  const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/', (_req, res) => {
    res
      .type('html')
      // The page needs its own inline initialiser; everything else is same-origin.
      .setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      )
      .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fin-hub API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><p style="font-family: system-ui, sans-serif; margin: 8px 20px"><a href="/">← fin-hub dashboard</a></p><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });</script>
</body></html>`);
  });
  router.use('/assets', express.static(assets, { index: false }));
  return router;
}
