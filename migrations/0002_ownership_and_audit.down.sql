DROP TABLE registry_audit;
ALTER TABLE services DROP COLUMN owner;
