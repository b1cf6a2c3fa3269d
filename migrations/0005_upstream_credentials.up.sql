-- Headers the hub sends to an upstream that needs credentials (e.g. Authorization), sealed with
-- AES-256-GCM under the hub's FIN_HUB_SECRET_KEY (src/shared/secret-box.ts); never returned.
ALTER TABLE services ADD COLUMN upstream_headers_sealed text;
