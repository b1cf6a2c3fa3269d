-- Per-caller rate-limit counters, shared by every hub on one PostgreSQL (src/http/rate-limiters.ts).
-- The layout is rate-limiter-flexible's RateLimiterPostgres table; the hub creates it here, not the
-- library at run time, so that both databases carry the same migrations.
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
