import { EventEmitter } from 'node:events';
import {
  type CatalogueTool,
  type Page,
  RegistryDirectory,
  type ServiceFilter,
  type ToolFilter,
  type ToolStatsRow,
} from './registry-directory.js';
import type { ServiceRecord, ToolRecord } from './registry-types.js';
import { RoutingIndex, type RoutingView } from './routing-index.js';

/** `row` is an older state of the instance than `than` (by its registration, then its last check). */
function isOlder(row: ServiceRecord, than: ServiceRecord): boolean {
  const updated = row.updated_at.getTime() - than.updated_at.getTime();
  if (updated !== 0) return updated < 0;
  return (row.last_health_check?.getTime() ?? 0) < (than.last_health_check?.getTime() ?? 0);
}

/**
 * One service row as the database returned it after a write. `tools` is the complete tool set when
 * the write replaced it (a registration, or a re-read of another hub's change); a row without tools
 * (heartbeat, health check, deactivation) keeps the tools memory already has.
 */
export interface RegistryEntry {
  service: ServiceRecord;
  tools?: ToolRecord[];
}

/** Who made a change: this hub's own write (the other hubs must hear of it) or another hub's. */
export type ChangeOrigin = 'local' | 'remote';

/** An instance that left routing, or an endpoint an instance stopped using. */
interface RetiredEndpoint {
  serviceId: string;
  endpoint: string;
  /** The instance is still registered (it moved to another endpoint); only the old endpoint retires. */
  stillRegistered: boolean;
}

/** What one `apply` changed, announced once to every subscriber. */
export interface RegistryChange {
  origin: ChangeOrigin;
  /** Instances whose registration, health or activity changed: what other hubs must re-read. */
  changed: string[];
  /** Endpoints no instance uses any more, and instances gone from routing. */
  retired: RetiredEndpoint[];
  /** The visible tool list or a definition in it changed: MCP clients must be told. */
  catalogueChanged: boolean;
  /**
   * An instance's tools were written or an instance left: the whole catalogue (REST, search)
   * changed. Health changes alone do not set it: that catalogue lists unhealthy instances too.
   */
  definitionsChanged: boolean;
}

/**
 * The registry in memory, with one writer. Every change is first written to the database; the rows
 * it returned then go through `apply`, which updates every index inside one call:
 *  - the routing index (active instances and visible tools; the engine and MCP front read it),
 *  - the directory (every service row and the tool rows with statistics; the REST API reads it),
 * and then emits one `change` event. Whatever reacts to the registry (instance gates and balancer
 * state, upstream sessions, list_changed broadcasts, announcements to other hubs, database upkeep)
 * subscribes to that event rather than being called by each writer (agentgateway's
 * `store/discovery.rs` is the model). The database stays the record: `load` rebuilds all of it.
 */
export class RegistryStore extends EventEmitter<{ change: [RegistryChange] }> {
  private readonly routingIndex: RoutingIndex;
  private readonly directory = new RegistryDirectory();

  /** `openHeaders` gives the routing index an instance's credential headers (sealed in its row). */
  constructor(
    options: { openHeaders?: (service: ServiceRecord) => Record<string, string> | undefined } = {},
  ) {
    super();
    this.routingIndex = new RoutingIndex(options.openHeaders);
  }

  /** The hot path's read-only view. */
  get routing(): RoutingView {
    return this.routingIndex;
  }

  /** Start-up: every service row and the tool rows of the active ones. Emits nothing. */
  load(services: ServiceRecord[], tools: ToolRecord[]): void {
    this.directory.load(services, tools);
    for (const service of services) {
      if (!service.is_active) continue;
      this.routingIndex.upsert(service, this.directory.getActive(service.service_id)?.tools ?? []);
    }
  }

  /** Applies rows the database returned after a write; emits one change when anything changed. */
  apply(entries: RegistryEntry[], origin: ChangeOrigin = 'local'): RegistryChange {
    const change: RegistryChange = {
      origin,
      changed: [],
      retired: [],
      catalogueChanged: false,
      definitionsChanged: false,
    };
    for (const entry of entries) this.applyOne(entry, change);
    if (change.changed.length > 0 || change.retired.length > 0 || change.catalogueChanged) {
      this.emit('change', change);
    }
    return change;
  }

  /** Re-reads the database's whole registry (after a missed notice): applies only what differs. */
  reconcile(services: ServiceRecord[], tools: ToolRecord[], origin: ChangeOrigin = 'remote'): RegistryChange {
    const toolsOf = new Map<string, ToolRecord[]>();
    for (const tool of tools) {
      const list = toolsOf.get(tool.service_id) ?? [];
      list.push(tool);
      toolsOf.set(tool.service_id, list);
    }
    const entries: RegistryEntry[] = [];
    const inDatabase = new Set(services.map((service) => service.service_id));
    // Gone from the database: retention deleted it (only inactive rows are deleted). An active row
    // missing from the read was registered after it, and stays.
    const deleted = [...this.directory.serviceIds()].filter(
      (id) => !inDatabase.has(id) && this.directory.getService(id)?.is_active === false,
    );
    for (const service of services) {
      const known = this.directory.getService(service.service_id);
      const same =
        known !== undefined &&
        known.updated_at.getTime() === service.updated_at.getTime() &&
        known.is_active === service.is_active &&
        known.is_healthy === service.is_healthy;
      if (same) {
        // Only counters or last_seen moved: the row is refreshed, nothing routes differently.
        if (!isOlder(service, known)) this.directory.update(service);
        continue;
      }
      // The read may predate a write this hub applied since: never go back to an older row.
      if (known && isOlder(service, known)) continue;
      entries.push(
        service.is_active ? { service, tools: toolsOf.get(service.service_id) ?? [] } : { service },
      );
    }
    const change = this.apply(entries, origin);
    if (deleted.length > 0) this.forget(deleted, origin);
    return change;
  }

  /**
   * Rows deleted from the database (retention purges only inactive ones): memory forgets them. An
   * instance still routed is taken out first, as a deactivation would.
   */
  forget(serviceIds: string[], origin: ChangeOrigin = 'local'): void {
    const routed = serviceIds.flatMap((id) => {
      const row = this.directory.getService(id);
      return row && this.routingIndex.getInstance(id) ? [{ service: { ...row, is_active: false } }] : [];
    });
    if (routed.length > 0) this.apply(routed, origin);
    for (const id of serviceIds) this.directory.remove(id);
  }

  /** Statistics a history batch computed (this hub's or another's). */
  applyStats(rows: ToolStatsRow[]): void {
    this.directory.updateStats(rows);
  }

  // REST reads: answered from memory, never from the database.

  /** A service row, active or not. */
  getService(serviceId: string): ServiceRecord | undefined {
    return this.directory.getService(serviceId);
  }

  /** An active instance with its tools sorted by name; undefined for unknown or inactive ones. */
  getActive(serviceId: string): { service: ServiceRecord; tools: ToolRecord[] } | undefined {
    return this.directory.getActive(serviceId);
  }

  listServices(filter: ServiceFilter): Page<ServiceRecord> {
    return this.directory.listServices(filter);
  }

  listCatalogue(filter: ToolFilter): Page<CatalogueTool> {
    return this.directory.listCatalogue(filter);
  }

  getCatalogueTool(name: string): CatalogueTool | undefined {
    return this.directory.getTool(name);
  }

  catalogueToolNames(): readonly string[] {
    return this.directory.toolNames();
  }

  catalogueToolMatches(name: string, filter: Omit<ToolFilter, 'limit' | 'cursor'>): boolean {
    return this.directory.toolMatches(name, filter);
  }

  /** True when an active instance has gone unseen past its ttl_seconds as of `nowMs`. */
  anyExpiredAt(nowMs: number): boolean {
    return this.directory.anyExpiredAt(nowMs);
  }

  private applyOne({ service, tools }: RegistryEntry, change: RegistryChange): void {
    const id = service.service_id;
    const before = this.routingIndex.getInstance(id);
    const endpointBefore = before?.endpoint;
    if (!service.is_active) {
      this.directory.update(service);
      if (!before) return;
      change.catalogueChanged = this.routingIndex.remove(id) || change.catalogueChanged;
      change.definitionsChanged = true;
      change.changed.push(id);
      change.retired.push({ serviceId: id, endpoint: endpointBefore!, stillRegistered: false });
      return;
    }
    if (tools) {
      this.directory.register(service, tools);
      change.catalogueChanged = this.routingIndex.upsert(service, tools) || change.catalogueChanged;
      change.definitionsChanged = true;
      change.changed.push(id);
      const endpointNow = this.routingIndex.getInstance(id)!.endpoint;
      if (endpointBefore !== undefined && endpointBefore !== endpointNow) {
        change.retired.push({ serviceId: id, endpoint: endpointBefore, stillRegistered: true });
      }
      return;
    }
    // A row without tools for an instance memory does not route (a heartbeat or check racing a
    // deactivation): its tools are unknown here, so the row waits for the next full entry.
    if (!before) return;
    this.directory.update(service);
    if (before.healthy !== service.is_healthy) {
      change.catalogueChanged =
        this.routingIndex.setHealthy(id, service.is_healthy) || change.catalogueChanged;
      change.changed.push(id);
    }
  }
}
