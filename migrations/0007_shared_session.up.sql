-- A service that keeps no state per MCP session says so (shared_session): every hub caller then
-- shares one upstream session with it. Otherwise (the default) a server that gives the hub a
-- session id gets one upstream session per downstream MCP session (docs/federation.md).
ALTER TABLE services ADD COLUMN shared_session boolean NOT NULL DEFAULT false;
