-- Whether the instance's tools came from the server's own tools/list (a registration by mcp_url
-- without tools). Only those are discovered again when the server says its tool list changed;
-- tools a registration listed by hand stay as given.
ALTER TABLE services ADD COLUMN tools_discovered boolean NOT NULL DEFAULT false;
