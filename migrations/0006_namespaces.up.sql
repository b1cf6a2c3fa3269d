-- A service's namespace: its tools are exposed as <namespace>__<name> (the registration's, or the
-- hub's default of the service name), so two services offering the same names can both be federated.
ALTER TABLE services ADD COLUMN namespace text;
