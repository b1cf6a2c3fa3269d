import { html } from 'htm/preact';
import type { Execution } from '../api.js';
import { ago, milliseconds } from '../format.js';

export interface ExecutionFilter {
  status: string;
  tool: string;
}

const STATUSES = ['', 'running', 'success', 'error', 'timeout', 'cancelled', 'rejected'];

/** The most recent calls (MCP and REST alike), filterable by status and tool. */
export function ExecutionsTable(props: {
  executions: Execution[];
  filter: ExecutionFilter;
  onFilter: (filter: ExecutionFilter) => void;
}) {
  const { filter } = props;
  return html`
    <div class="toolbar">
      <select
        aria-label="Status"
        data-test="status-filter"
        value=${filter.status}
        onChange=${(event: Event) => props.onFilter({ ...filter, status: (event.target as HTMLSelectElement).value })}
      >
        ${STATUSES.map((status) => html`<option value=${status}>${status || 'any status'}</option>`)}
      </select>
      <input
        type="search"
        placeholder="Tool name"
        aria-label="Tool"
        data-test="tool-filter"
        value=${filter.tool}
        onInput=${(event: Event) => props.onFilter({ ...filter, tool: (event.target as HTMLInputElement).value.trim() })}
      />
    </div>
    ${
      props.executions.length === 0
        ? html`<p class="empty" data-test="no-executions">No call yet${filter.status || filter.tool ? ' matching the filter' : ''}.</p>`
        : html`
          <table data-test="executions">
            <thead>
              <tr><th>Started</th><th>Tool</th><th>Status</th><th>Duration</th><th>Instance</th><th>Correlation id</th></tr>
            </thead>
            <tbody>
              ${props.executions.map(
                (execution) => html`
                  <tr key=${execution.execution_id} data-execution=${execution.execution_id}>
                    <td title=${execution.started_at}>${ago(execution.started_at)}</td>
                    <td class="mono">${execution.tool_id}</td>
                    <td>
                      <span class=${`badge ${execution.status === 'success' ? 'ok' : execution.status === 'running' ? 'muted' : 'bad'}`}>${execution.status}</span>
                      ${execution.error ? html`<div class="reason">${execution.error.message}</div>` : null}
                    </td>
                    <td>${milliseconds(execution.duration_ms)}</td>
                    <td class="mono">${execution.service_id ?? '—'}</td>
                    <td class="mono" data-test="correlation">${execution.correlation_id}</td>
                  </tr>
                `,
              )}
            </tbody>
          </table>
        `
    }
  `;
}
