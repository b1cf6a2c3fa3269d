-- Registry: one row per service instance (replicas share service_name).
CREATE TABLE services (
  service_id              text PRIMARY KEY,
  service_name            text NOT NULL,
  address                 text NOT NULL,
  port                    integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  mcp_url                 text,
  version                 text,
  tags                    jsonb NOT NULL DEFAULT '[]',
  meta                    jsonb NOT NULL DEFAULT '{}',
  tool_prefix             text,
  health_check_url        text,
  health_check_interval   integer NOT NULL DEFAULT 30,
  is_healthy              boolean NOT NULL DEFAULT true,
  consecutive_failures    integer NOT NULL DEFAULT 0,
  last_health_check       timestamptz,
  last_failure_reason     text,
  weight                  integer NOT NULL DEFAULT 1 CHECK (weight >= 1),
  current_load            integer NOT NULL DEFAULT 0,
  registered_at           timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  last_seen               timestamptz NOT NULL DEFAULT now(),
  ttl_seconds             integer NOT NULL DEFAULT 300,
  is_active               boolean NOT NULL DEFAULT true
);
CREATE INDEX services_name_idx ON services (service_name, service_id);
CREATE INDEX services_active_idx ON services (is_active, service_id);
CREATE INDEX services_tags_idx ON services USING gin (tags);

-- Tools of an instance; replicas carry the same names. Statistics live on the row and survive re-registration.
CREATE TABLE tools (
  service_id              text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
  name                    text NOT NULL,
  upstream_name           text NOT NULL,
  description             text,
  category                text,
  version                 text,
  tags                    jsonb NOT NULL DEFAULT '[]',
  input_schema            jsonb NOT NULL,
  output_schema           jsonb,
  annotations             jsonb,
  timeout_seconds         integer,
  retry_attempts          integer,
  total_executions        bigint NOT NULL DEFAULT 0,
  successful_executions   bigint NOT NULL DEFAULT 0,
  average_duration_ms     double precision NOT NULL DEFAULT 0,
  last_executed           timestamptz,
  is_enabled              boolean NOT NULL DEFAULT true,
  PRIMARY KEY (service_id, name)
);
CREATE INDEX tools_name_idx ON tools (name);
CREATE INDEX tools_category_idx ON tools (category);

-- Execution history: exactly one row per accepted call.
CREATE TABLE tool_executions (
  execution_id            text PRIMARY KEY,
  correlation_id          text NOT NULL,
  tool_id                 text NOT NULL,
  service_id              text,
  service_name            text,
  input_data              jsonb,
  output_data             jsonb,
  error_data              jsonb,
  status                  text NOT NULL CHECK (status IN ('running', 'success', 'error', 'timeout', 'cancelled', 'rejected')),
  attempts                integer NOT NULL DEFAULT 0,
  started_at              timestamptz NOT NULL,
  completed_at            timestamptz,
  duration_ms             double precision,
  user_agent              text,
  ip_address              text
);
CREATE INDEX tool_executions_started_idx ON tool_executions (started_at DESC, execution_id DESC);
CREATE INDEX tool_executions_tool_idx ON tool_executions (tool_id, started_at DESC);
CREATE INDEX tool_executions_service_idx ON tool_executions (service_id, started_at DESC);
CREATE INDEX tool_executions_status_idx ON tool_executions (status, started_at DESC);
