// Part of `npm run build`: the `fin-hub` command as an esbuild bundle in dist/bin/ — its entry, the
// two worker threads it starts (the embedded database's, the reference spokes') and the chunks they
// share. Why: Node's ES module loader pays per file, and the hub with its dependencies is ~600 of
// them; loaded as a dozen chunks the hub's import takes ~40 % less time on the desktop path
// (bench/desktop.ts; README's decisions). The library export `fin-hub/spoke` stays tsc's output
// (dist/src/), and the tests run the sources under tsx, except those that start this command.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'bin');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [
    join(root, 'bin', 'fin-hub.ts'),
    // Beside the entry, by file name: src/shared/module-worker.ts finds them there in the bundle.
    join(root, 'src', 'db', 'pglite-worker.ts'),
    join(root, 'src', 'spokes', 'reference-spoke-thread.ts'),
  ],
  entryNames: '[name]',
  outdir: out,
  bundle: true,
  // Code the entry loads with import() (the hub, the spokes, the driver) stays out of its first load.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  define: { FIN_HUB_BUNDLE: 'true' },
  external: [
    // Finds its WebAssembly and data files beside its own modules.
    '@electric-sql/pglite',
    // pg's optional native binding, never installed.
    'pg-native',
    // Loaded with import() on the first upstream call; bundled, a CommonJS module imported that way
    // would only have a default export (esbuild), not Node's named ones.
    'undici',
    // Requires its word lists by computed paths (other languages than English) from its own folder.
    'sentiment',
  ],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as finHubCreateRequire } from 'node:module'; const require = finHubCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
