DELETE FROM services WHERE port = 0;
ALTER TABLE services DROP CONSTRAINT services_port_check;
ALTER TABLE services ADD CONSTRAINT services_port_check CHECK (port BETWEEN 1 AND 65535);
ALTER TABLE services DROP COLUMN tools_discovered;
