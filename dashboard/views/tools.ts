import { html } from 'htm/preact';
import type { Tool } from '../api.js';
import { ago, milliseconds, percent } from '../format.js';

/** The catalogue (or the best matches of a search) with each tool's statistics. */
export function ToolsTable(props: { tools: Tool[]; query: string; onQuery: (query: string) => void }) {
  return html`
    <div class="toolbar">
      <input
        type="search"
        placeholder="Search tools by name, description, category, tag or service"
        aria-label="Search tools"
        data-test="tool-search"
        value=${props.query}
        onInput=${(event: Event) => props.onQuery((event.target as HTMLInputElement).value)}
      />
    </div>
    ${
      props.tools.length === 0
        ? html`<p class="empty" data-test="no-tools">${props.query ? 'No tool matches.' : 'No tool is registered yet.'}</p>`
        : html`
          <table data-test="tools">
            <thead>
              <tr><th>Tool</th><th>Service</th><th>Instances</th><th>Calls</th><th>Success</th><th>Average</th><th>Last call</th></tr>
            </thead>
            <tbody>
              ${props.tools.map(
                (tool) => html`
                  <tr key=${tool.name} data-tool=${tool.name}>
                    <td><span class="mono">${tool.name}</span><div class="description">${tool.description ?? ''}</div></td>
                    <td>${tool.service_name}</td>
                    <td>${tool.instances.length}</td>
                    <td>${tool.total_executions}</td>
                    <td>${percent(tool.successful_executions, tool.total_executions)}</td>
                    <td>${tool.total_executions ? milliseconds(tool.average_duration_ms) : '—'}</td>
                    <td>${ago(tool.last_executed)}</td>
                  </tr>
                `,
              )}
            </tbody>
          </table>
        `
    }
  `;
}
