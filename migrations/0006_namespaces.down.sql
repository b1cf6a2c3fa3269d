ALTER TABLE services DROP COLUMN namespace;
