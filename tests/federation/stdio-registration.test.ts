import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HubConfigInput } from '../../src/config/config-schema.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

const require = createRequire(import.meta.url);
const FILESYSTEM_SERVER = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const ADMIN = 'admin-key-0123456789abcdef';
const WRITER = 'writer-key-0123456789abcdef';
const keys = {
  auth: {
    keys: [
      { name: 'admin', key: ADMIN, scopes: ['admin', 'registry:write', 'registry:read', 'tools:call'] },
      { name: 'writer', key: WRITER, scopes: ['registry:write', 'registry:read', 'tools:call'] },
    ],
  },
} satisfies HubConfigInput;
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe(`registering a command (stdio) over REST, on the ${TEST_DB} database`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fin-hub-stdio-rest-'));
  writeFileSync(join(dir, 'note.txt'), 'registered over REST\n');
  const body = {
    service_id: 'files-rest',
    service_name: 'files-rest',
    stdio: { command: process.execPath, args: [FILESYSTEM_SERVER, dir] },
  };

  it('is refused unless the hub allows it, and then for admin keys only', async (t) => {
    const closed = await startTestHub(t, keys);
    const off = await api(closed, 'POST', '/api/v1/services/register', body, as(ADMIN));
    assert.equal(off.status, 403);
    assert.match(off.body.error.message, /--allow-stdio-registration/);

    const hub = await startTestHub(t, { ...keys, allowStdioRegistration: true });
    if (TEST_DB === 'postgres') {
      // Hubs sharing PostgreSQL would route to a command only one of them runs.
      const shared = await api(hub, 'POST', '/api/v1/services/register', body, as(ADMIN));
      assert.equal(shared.status, 403);
      assert.match(shared.body.error.message, /embedded database/);
      return;
    }
    const writer = await api(hub, 'POST', '/api/v1/services/register', body, as(WRITER));
    assert.equal(writer.status, 403);
    assert.match(writer.body.error.message, /needs an admin key/);
    const both = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      { ...body, mcp_url: 'http://127.0.0.1:1/mcp' },
      as(ADMIN),
    );
    assert.equal(both.status, 400);
    assert.match(JSON.stringify(both.body.error.details), /stdio or mcp_url, not both/);
    const noAddress = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      { service_id: 'x-1', service_name: 'x', mcp_url: 'http://127.0.0.1:1/mcp' },
      as(ADMIN),
    );
    assert.equal(noAddress.status, 400, 'address and port stay required for a URL');

    const admin = await api(hub, 'POST', '/api/v1/services/register', body, as(ADMIN));
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    const shown = (await api(hub, 'GET', '/api/v1/services/files-rest', undefined, as(ADMIN))).body;
    assert.equal(shown.mcp_url, 'stdio:files-rest');
    assert.ok(shown.tags.includes('stdio'));
    const { client } = await connectHttp(t, hub.url!, {}, { headers: as(ADMIN) });
    const read = await client.callTool({
      name: 'read_text_file',
      arguments: { path: join(dir, 'note.txt') },
    });
    assert.equal((read.content as { text: string }[])[0]!.text, 'registered over REST\n');
  });
});
