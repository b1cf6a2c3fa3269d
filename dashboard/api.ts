// The dashboard's only way to the hub: the same REST API as everyone, with the API key the user
// typed once (kept in this browser's localStorage, sent as a Bearer header, never in a URL).

const KEY_STORAGE = 'fin-hub.api-key';

export class NeedsKey extends Error {}

export const apiKey = {
  get: (): string | null => localStorage.getItem(KEY_STORAGE),
  set: (key: string) => localStorage.setItem(KEY_STORAGE, key),
  forget: () => localStorage.removeItem(KEY_STORAGE),
};

/** GET a JSON document of the hub; 401/403 means the key is missing or wrong. */
export async function getJson<T>(path: string): Promise<T> {
  const key = apiKey.get();
  const response = await fetch(path, {
    headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  if (response.status === 401 || response.status === 403) throw new NeedsKey(`${response.status}`);
  if (!response.ok && response.status !== 503) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export interface Health {
  status: string;
  ready: boolean;
  version: string;
  checks: Record<string, unknown>;
}

export interface Instance {
  service_id: string;
  service_name: string;
  address: string;
  port: number;
  mcp_url: string | null;
  is_healthy: boolean;
  is_active: boolean;
  last_failure_reason: string | null;
  consecutive_failures: number;
  breaker_state: 'closed' | 'open' | 'half_open';
  current_load: number;
  queued: number;
  last_seen: string;
  tags: string[];
}

export interface Tool {
  name: string;
  service_name: string;
  description: string | null;
  category: string | null;
  instances: string[];
  total_executions: number;
  successful_executions: number;
  average_duration_ms: number;
  last_executed: string | null;
  score?: number;
}

export interface Execution {
  execution_id: string;
  correlation_id: string;
  tool_id: string;
  service_id: string | null;
  status: 'running' | 'success' | 'error' | 'timeout' | 'cancelled' | 'rejected';
  error?: { code: string; message: string } | null;
  started_at: string;
  duration_ms: number | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
