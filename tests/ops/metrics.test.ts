import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

describe('/metrics', () => {
  it('counts calls by tool, service and outcome, with latency histograms and registry gauges', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const tools = [
      { name: 'echo', input_schema: { type: 'object', properties: { text: { type: 'string' } } } },
      { name: 'broken', input_schema: { type: 'object' } },
    ];
    await api(hub, 'POST', '/api/v1/services/register', registration('m-1', 'testspoke', spoke.port, tools));
    for (let i = 0; i < 3; i++)
      await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'x' } });
    await api(hub, 'POST', '/api/v1/tools/broken/execute', { arguments: {} });
    await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 1 } });
    const res = await fetch(`${hub.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const value = (pattern: string) => {
      const line = text.split('\n').find((l) => l.startsWith(pattern));
      assert.ok(line, `metric ${pattern}`);
      return Number(line.split(' ').pop());
    };
    assert.equal(value('fin_hub_tool_calls_total{tool="echo",service="testspoke",outcome="success"}'), 3);
    assert.equal(value('fin_hub_tool_calls_total{tool="broken",service="testspoke",outcome="error"}'), 1);
    assert.equal(value('fin_hub_tool_calls_total{tool="echo",service="testspoke",outcome="rejected"}'), 1);
    assert.equal(value('fin_hub_tool_call_duration_seconds_count{tool="echo",service="testspoke"}'), 4);
    assert.equal(value('fin_hub_rejections_total{service="testspoke",reason="invalid_arguments"}'), 1);
    assert.equal(value('fin_hub_registry_instances'), 1);
    assert.equal(value('fin_hub_registry_tools'), 2);
    assert.equal(value('fin_hub_breaker_state{service_id="m-1"}'), 0);
    assert.equal(value('fin_hub_queue_depth{service_id="m-1"}'), 0);
    assert.ok(text.includes('fin_hub_process_resident_memory_bytes'));
    assert.ok(text.includes('fin_hub_history_outbox_depth'));
    assert.ok(text.includes('fin_hub_mcp_sessions'));
  });

  it('reports the heap retained after the last full collection', async (t) => {
    const hub = await startTestHub(t);
    const retained = async () => {
      const text = await (await fetch(`${hub.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('fin_hub_heap_used_after_major_gc_bytes '));
      assert.ok(line, 'fin_hub_heap_used_after_major_gc_bytes');
      return Number(line.split(' ').pop());
    };
    // A full collection on demand: the flag makes V8 expose gc() to contexts created afterwards.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    // The gauge is set by a PerformanceObserver callback, delivered after the collection.
    await waitFor(async () => (await retained()) > 1024 * 1024, 'a plausible live heap after gc()');
    const afterGc = await retained();
    // 64 MiB kept alive, then collected again: the gauge follows what survives.
    const ballast = Array.from({ length: 64 }, () => new Array<number>(131_072).fill(0.5));
    gc();
    await waitFor(
      async () => (await retained()) > afterGc + 48 * 1024 * 1024,
      'the retained ballast counted',
    );
    assert.equal(ballast.length, 64);
  });
});

const GRAFANA_DATASOURCE = ['$', '{datasource}'].join('');

describe('the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  it('asks for its Prometheus datasource as a variable and queries only metrics the hub exports', async (t) => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as {
      templating: { list: { name: string; type: string }[] };
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'));
    const hub = await startTestHub(t);
    const exported = await (await fetch(`${hub.url}/metrics`)).text();
    const names = new Set(
      exported
        .split('\n')
        .filter((line) => line.startsWith('# TYPE '))
        .map((line) => line.split(' ')[2]!),
    );
    for (const panel of dashboard.panels) {
      // Grafana's variable syntax (a plain string, not a template literal).
      assert.equal(panel.datasource.uid, GRAFANA_DATASOURCE, panel.title);
      for (const { expr } of panel.targets)
        for (const [metric] of expr.matchAll(/fin_hub_[a-z0-9_]+/g)) {
          // A histogram's series are its name plus _bucket, _sum, _count.
          const base = metric.replace(/_(bucket|sum|count)$/, '');
          assert.ok(names.has(metric) || names.has(base), `${panel.title}: ${metric} is exported`);
        }
    }
    assert.ok(
      dashboard.panels.some((panel) =>
        panel.targets.some((x) => x.expr.includes('fin_hub_heap_used_after_major_gc_bytes')),
      ),
      'a panel shows the retained-heap leak signal',
    );
  });
});
