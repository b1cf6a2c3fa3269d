import type { Tool } from '@modelcontextprotocol/server';
import {
  type HealthProbe,
  healthProbeOf,
  mcpEndpointOf,
  type ServiceRecord,
  type ToolRecord,
} from './registry-types.js';

/** An instance as the hot path sees it. Mutable fields are updated in place. */
export interface InstanceView {
  serviceId: string;
  serviceName: string;
  endpoint: string;
  weight: number;
  healthy: boolean;
  meta: Record<string, unknown>;
  ttlSeconds: number;
  /** How the health loop checks it: HTTP at its health URL, or MCP at its endpoint. */
  health: HealthProbe;
  /** The upstream's credential headers, opened from the registration's sealed ones. */
  upstreamHeaders?: Record<string, string>;
  /**
   * Every caller shares one upstream session (the registration's `shared_session`); otherwise an
   * MCP session gets its own with a server that keeps sessions (upstream-sessions.ts).
   */
  sharedSession: boolean;
  healthIntervalSeconds: number;
}

/** A tool as the hot path sees it: the MCP definition served verbatim plus what routing needs. */
export interface ToolView {
  /** Exactly what `tools/list` returns for it (schemas untouched). */
  definition: Tool;
  upstreamName: string;
  serviceName: string;
  timeoutSeconds: number | null;
  retryAttempts: number | null;
  /** The registration marked it read-only or idempotent: a call that may have run can be retried. */
  retrySafe: boolean;
}

interface ToolEntry {
  /** Definition per instance: replicas may be mid-upgrade; the newest registration wins. */
  byInstance: Map<string, ToolView>;
  current: ToolView;
  visible: boolean;
}

/** What the hot path may read: the MCP front, the engine and the health loop depend on this only. */
export interface RoutingView {
  getInstance(serviceId: string): InstanceView | undefined;
  allInstances(): IterableIterator<InstanceView>;
  readonly instanceCount: number;
  getTool(name: string): ToolView | undefined;
  healthyInstancesOf(name: string): InstanceView[];
  visibleTools(): ToolView[];
}

/**
 * The routing index of the registry store: active instances and their tools, as the MCP front and
 * the engine read them on their hot path. A tool is visible while at least one of its instances is
 * healthy. Only `RegistryStore` writes it; each write returns whether the visible catalogue changed.
 */
export class RoutingIndex implements RoutingView {
  /** Opens an instance's sealed credential headers (the registry store supplies the hub's key). */
  constructor(
    private readonly openHeaders: (service: ServiceRecord) => Record<string, string> | undefined = () =>
      undefined,
  ) {}

  private readonly instances = new Map<string, InstanceView>();
  private readonly toolsOfInstance = new Map<string, string[]>();
  private readonly tools = new Map<string, ToolEntry>();
  private sortedVisible: ToolView[] | undefined;

  /** Adds or replaces an instance and its tools; true when the visible catalogue changed. */
  upsert(service: ServiceRecord, tools: ToolRecord[]): boolean {
    const id = service.service_id;
    const previous = this.instances.get(id);
    const view: InstanceView = {
      serviceId: id,
      serviceName: service.service_name,
      endpoint: mcpEndpointOf(service),
      weight: service.weight,
      healthy: service.is_healthy,
      meta: service.meta,
      ttlSeconds: service.ttl_seconds,
      health: healthProbeOf(service),
      upstreamHeaders: service.upstream_headers_sealed ? this.openHeaders(service) : undefined,
      sharedSession: service.shared_session,
      healthIntervalSeconds: service.health_check_interval,
    };
    if (previous) Object.assign(previous, view);
    else this.instances.set(id, view);
    const touched = new Set(this.toolsOfInstance.get(id) ?? []);
    for (const name of touched) this.tools.get(name)?.byInstance.delete(id);
    let definitionsChanged = touched.size !== tools.length;
    for (const record of tools) {
      touched.add(record.name);
      const toolView = toToolView(record, service.service_name);
      let entry = this.tools.get(record.name);
      if (!entry) {
        entry = { byInstance: new Map(), current: toolView, visible: false };
        this.tools.set(record.name, entry);
        definitionsChanged = true;
      } else if (JSON.stringify(entry.current.definition) !== JSON.stringify(toolView.definition)) {
        definitionsChanged = true;
      }
      entry.byInstance.set(id, toolView);
      entry.current = toolView;
    }
    this.toolsOfInstance.set(
      id,
      tools.map((t) => t.name),
    );
    return this.settle(touched, definitionsChanged);
  }

  /** Takes an instance out (deregistered or expired); true when the visible catalogue changed. */
  remove(serviceId: string): boolean {
    if (!this.instances.delete(serviceId)) return false;
    const names = this.toolsOfInstance.get(serviceId) ?? [];
    this.toolsOfInstance.delete(serviceId);
    for (const name of names) this.tools.get(name)?.byInstance.delete(serviceId);
    return this.settle(new Set(names), false);
  }

  /** Health changed: routing and visibility follow. Returns whether the visible catalogue changed. */
  setHealthy(serviceId: string, healthy: boolean): boolean {
    const instance = this.instances.get(serviceId);
    if (!instance || instance.healthy === healthy) return false;
    instance.healthy = healthy;
    return this.settle(new Set(this.toolsOfInstance.get(serviceId) ?? []), false);
  }

  getInstance(serviceId: string): InstanceView | undefined {
    return this.instances.get(serviceId);
  }

  allInstances(): IterableIterator<InstanceView> {
    return this.instances.values();
  }

  get instanceCount(): number {
    return this.instances.size;
  }

  /** A visible tool by its MCP name. */
  getTool(name: string): ToolView | undefined {
    const entry = this.tools.get(name);
    return entry?.visible ? entry.current : undefined;
  }

  /** Healthy instances offering a tool (the engine further drops those whose breaker is open). */
  healthyInstancesOf(name: string): InstanceView[] {
    const entry = this.tools.get(name);
    if (!entry) return [];
    const result: InstanceView[] = [];
    for (const id of entry.byInstance.keys()) {
      const instance = this.instances.get(id);
      if (instance?.healthy) result.push(instance);
    }
    return result;
  }

  /** Visible tools sorted by name; cached until the next change. */
  visibleTools(): ToolView[] {
    if (!this.sortedVisible) {
      const list: ToolView[] = [];
      for (const [, entry] of this.tools) if (entry.visible) list.push(entry.current);
      list.sort((a, b) =>
        a.definition.name < b.definition.name ? -1 : a.definition.name > b.definition.name ? 1 : 0,
      );
      this.sortedVisible = list;
    }
    return this.sortedVisible;
  }

  private settle(names: Set<string>, definitionsChanged: boolean): boolean {
    let catalogueChanged = definitionsChanged;
    for (const name of names) {
      const entry = this.tools.get(name);
      if (!entry) continue;
      if (entry.byInstance.size === 0) {
        this.tools.delete(name);
        if (entry.visible) catalogueChanged = true;
        continue;
      }
      const newest = [...entry.byInstance.values()].pop();
      if (newest) entry.current = newest;
      const visible = [...entry.byInstance.keys()].some((id) => this.instances.get(id)?.healthy);
      if (visible !== entry.visible) {
        entry.visible = visible;
        catalogueChanged = true;
      }
    }
    if (catalogueChanged) this.sortedVisible = undefined;
    return catalogueChanged;
  }
}

function toToolView(record: ToolRecord, serviceName: string): ToolView {
  const annotations = record.annotations ?? undefined;
  const definition: Tool = {
    name: record.name,
    ...(record.description ? { description: record.description } : {}),
    inputSchema: record.input_schema as Tool['inputSchema'],
    ...(record.output_schema ? { outputSchema: record.output_schema as Tool['outputSchema'] } : {}),
    ...(annotations ? { annotations } : {}),
  };
  return {
    definition,
    upstreamName: record.upstream_name,
    serviceName,
    timeoutSeconds: record.timeout_seconds,
    retryAttempts: record.retry_attempts,
    retrySafe: annotations?.readOnlyHint === true || annotations?.idempotentHint === true,
  };
}
