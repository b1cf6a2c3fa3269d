// The dashboard at `/`: services and instances, the tool catalogue with search, recent calls;
// polled every few seconds through the REST API (Preact + htm: no build-time JSX, a 5 kB runtime).
import { html } from 'htm/preact';
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  apiKey,
  type Execution,
  getJson,
  type Health,
  type Instance,
  NeedsKey,
  type Page,
  type Tool,
} from './api.js';
import { ago } from './format.js';
import { type ExecutionFilter, ExecutionsTable } from './views/executions.js';
import { KeyForm } from './views/key-form.js';
import { ServicesTable } from './views/services.js';
import { ToolsTable } from './views/tools.js';

const POLL_MS = 3000;

interface Snapshot {
  health?: Health;
  instances: Instance[];
  tools: Tool[];
  executions: Execution[];
  at: number;
}

function query(params: Record<string, string | number>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== '') search.set(name, String(value));
  return search.toString();
}

function App() {
  const [snapshot, setSnapshot] = useState<Snapshot>({ instances: [], tools: [], executions: [], at: 0 });
  const [keyState, setKeyState] = useState<'fine' | 'ask' | 'wrong'>('fine');
  const [problem, setProblem] = useState<string>();
  const [toolQuery, setToolQuery] = useState('');
  const [filter, setFilter] = useState<ExecutionFilter>({ status: '', tool: '' });
  const [, tick] = useState(0);
  // Answers can arrive out of order (a search typed fast): only the latest request's is shown.
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const request = ++latest.current;
    try {
      const [health, instances, tools, executions] = await Promise.all([
        getJson<Health>('/health'),
        getJson<Page<Instance>>(`/api/v1/services?${query({ active: 'true', limit: 200 })}`),
        getJson<Page<Tool>>(
          `/api/v1/tools?${query({ q: toolQuery.trim(), limit: toolQuery.trim() ? 50 : 200 })}`,
        ),
        getJson<Page<Execution>>(
          `/api/v1/executions?${query({ limit: 50, status: filter.status, tool: filter.tool })}`,
        ),
      ]);
      if (request !== latest.current) return;
      setSnapshot({
        health,
        instances: instances.items,
        tools: tools.items,
        executions: executions.items,
        at: Date.now(),
      });
      setKeyState('fine');
      setProblem(undefined);
    } catch (error) {
      if (request !== latest.current) return;
      if (error instanceof NeedsKey) setKeyState(apiKey.get() ? 'wrong' : 'ask');
      else setProblem(`The hub did not answer: ${(error as Error).message}. Retrying.`);
    }
  }, [toolQuery, filter]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  // "updated 2 s ago" keeps moving between polls.
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  if (keyState !== 'fine')
    return html`<main><${KeyForm}
      wrongKey=${keyState === 'wrong'}
      onKey=${(key: string) => {
        apiKey.set(key);
        void refresh();
      }}
    /></main>`;

  const { health, instances, tools, executions } = snapshot;
  const healthy = instances.filter((i) => i.is_healthy).length;
  return html`
    <header>
      <h1>fin-hub</h1>
      ${
        health
          ? html`<span class=${`badge ${health.ready ? 'ok' : 'bad'}`} data-test="hub-status">${health.ready ? 'ready' : health.status}</span>
              <span class="muted">v${health.version}</span>`
          : null
      }
      <span class="muted">${instances.length} instances (${healthy} healthy) · ${tools.length}${toolQuery ? ' matching' : ''} tools</span>
      <span class="spacer"></span>
      <span class="muted" data-test="updated">${snapshot.at ? `updated ${ago(new Date(snapshot.at).toISOString())}` : 'loading…'}</span>
      <a href="/docs">API docs</a>
      <a href="/metrics">metrics</a>
      ${
        apiKey.get()
          ? html`<button class="link" onClick=${() => {
              apiKey.forget();
              setKeyState('ask');
            }}>forget key</button>`
          : null
      }
    </header>
    ${problem ? html`<p class="problem" data-test="problem">${problem}</p>` : null}
    <main>
      <section>
        <h2>Services and instances</h2>
        <${ServicesTable} instances=${instances} />
      </section>
      <section>
        <h2>Tools</h2>
        <${ToolsTable} tools=${tools} query=${toolQuery} onQuery=${setToolQuery} />
      </section>
      <section>
        <h2>Recent calls</h2>
        <${ExecutionsTable} executions=${executions} filter=${filter} onFilter=${setFilter} />
      </section>
    </main>
  `;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "loading" line the page shows until this script runs
render(html`<${App} />`, root);
