ALTER TABLE services DROP COLUMN upstream_headers_sealed;
