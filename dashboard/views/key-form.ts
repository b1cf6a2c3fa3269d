import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

/** Asked once when the hub requires API keys; the key stays in this browser, never in a URL. */
export function KeyForm(props: { wrongKey: boolean; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return html`
    <form
      class="key-form"
      data-test="key-form"
      onSubmit=${(event: Event) => {
        event.preventDefault();
        if (key.trim()) props.onKey(key.trim());
      }}
    >
      <h2>This hub requires an API key</h2>
      <p>Enter a key with the <code>registry:read</code> scope. It is kept in this browser only and sent as a header.</p>
      ${props.wrongKey ? html`<p class="reason" data-test="wrong-key">That key was refused.</p>` : null}
      <input
        type="password"
        autocomplete="off"
        aria-label="API key"
        data-test="key-input"
        value=${key}
        onInput=${(event: Event) => setKey((event.target as HTMLInputElement).value)}
      />
      <button type="submit" data-test="key-submit">Open the dashboard</button>
    </form>
  `;
}
