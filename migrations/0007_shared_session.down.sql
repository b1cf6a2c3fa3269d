ALTER TABLE services DROP COLUMN shared_session;
