ALTER TABLE services DROP COLUMN tools_discovered;
