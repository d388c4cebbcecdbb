-- The audit service's own login role: the logs are append-only for it — INSERT and SELECT, and
-- it cannot drop their triggers (only the owner, through migrations, could).
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.change_log, {schema}.rejection_log,
    {schema}.profile_log FROM {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
