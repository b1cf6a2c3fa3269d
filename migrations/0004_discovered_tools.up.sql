-- Whether the instance's tools came from the server's own tools/list (a registration by mcp_url
-- without tools). Only those are discovered again when the server says its tool list changed;
-- tools a registration listed by hand stay as given.
ALTER TABLE services ADD COLUMN tools_discovered boolean NOT NULL DEFAULT false;

-- A stdio service the hub launched (config `services`) has no port: it is stored as port 0.
ALTER TABLE services DROP CONSTRAINT services_port_check;
ALTER TABLE services ADD CONSTRAINT services_port_check CHECK (port BETWEEN 0 AND 65535);
