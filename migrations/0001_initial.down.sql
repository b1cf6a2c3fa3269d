DROP TABLE tool_executions;
DROP TABLE tools;
DROP TABLE services;
