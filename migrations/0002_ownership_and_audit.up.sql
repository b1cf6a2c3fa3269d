-- Ownership: a service belongs to the identity (API key name, or "anonymous" on a hub without
-- keys) that first registered it. NULL on rows registered before ownership existed: the next
-- registration claims them.
ALTER TABLE services ADD COLUMN owner text;

-- Every registry write (registration, deregistration, expiry) and every refused attempt, with who
-- asked and from where. Heartbeats are not recorded (one per instance every few seconds).
CREATE TABLE registry_audit (
  audit_id      bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  identity      text NOT NULL,
  address       text,
  action        text NOT NULL,
  service_id    text,
  service_name  text,
  outcome       text NOT NULL,
  details       jsonb
);
CREATE INDEX registry_audit_at_idx ON registry_audit (at, audit_id);
CREATE INDEX registry_audit_service_idx ON registry_audit (service_id, at);
