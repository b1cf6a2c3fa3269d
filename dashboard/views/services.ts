import { html } from 'htm/preact';
import type { Instance } from '../api.js';
import { ago } from '../format.js';

/** Every registered instance: health with the last failure, breaker, load, last heartbeat. */
export function ServicesTable({ instances }: { instances: Instance[] }) {
  if (instances.length === 0)
    return html`<p class="empty" data-test="no-services">No service is registered yet.</p>`;
  return html`
    <table data-test="services">
      <thead>
        <tr><th>Service</th><th>Instance</th><th>Endpoint</th><th>Health</th><th>Breaker</th><th>In flight / queued</th><th>Last seen</th></tr>
      </thead>
      <tbody>
        ${instances.map(
          (instance) => html`
            <tr key=${instance.service_id} data-instance=${instance.service_id}>
              <td>${instance.service_name}</td>
              <td class="mono">${instance.service_id}</td>
              <td class="mono">${instance.mcp_url ?? `${instance.address}:${instance.port}`}</td>
              <td>
                ${
                  !instance.is_active
                    ? html`<span class="badge muted">inactive</span>`
                    : instance.is_healthy
                      ? html`<span class="badge ok" data-test="health">healthy</span>`
                      : html`<span class="badge bad" data-test="health">unhealthy</span>`
                }
                ${instance.last_failure_reason && !instance.is_healthy ? html`<div class="reason">${instance.last_failure_reason}</div>` : null}
              </td>
              <td><span class=${`badge ${instance.breaker_state === 'closed' ? 'ok' : 'bad'}`}>${instance.breaker_state.replace('_', '-')}</span></td>
              <td>${instance.current_load} / ${instance.queued}</td>
              <td title=${instance.last_seen}>${ago(instance.last_seen)}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}
