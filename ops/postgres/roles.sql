-- Least privilege in pge's database (issue 29, part 5): two roles instead of one that owns
-- everything.
--
--   pge_migrator  owns the schema and every object in it; `pge migrate` (the deploy job)
--                 logs in as it. DDL happens here and nowhere else.
--   pge_app       what `pge serve` and `pge worker` log in as: SELECT, INSERT, UPDATE and
--                 DELETE on the tables, USAGE and SELECT on the sequences, EXECUTE on the
--                 functions (`pge_submit`), and nothing else: no CREATE in the schema or
--                 the database, no TEMPORARY, no TRUNCATE, REFERENCES or TRIGGER, and it owns
--                 nothing, so it cannot DROP or ALTER anything.
--
-- Run by the database's administrator (the RDS master user; a superuser here), connected
-- to pge's database, before the first `pge migrate` and again after each one (it is
-- idempotent; the second run takes writes on the migration ledger back from pge_app):
--
--   psql "host=… user=pge_admin dbname=pge" -v ON_ERROR_STOP=1 -f ops/postgres/roles.sql
--
-- Passwords are not set here: on RDS use IAM database authentication
-- (`GRANT rds_iam TO pge_app, pge_migrator;`) or `\password` with a secret rotated in
-- Secrets Manager. scripts/db-privileges.py tests this file on a real PostgreSQL.
--
-- Tables that later migrations create are granted to pge_app by the default privileges
-- below (objects pge_migrator creates); a table created by anyone else would not be.

\set ON_ERROR_STOP on

SELECT 'CREATE ROLE pge_migrator LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pge_migrator') \gexec
SELECT 'CREATE ROLE pge_app LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pge_app') \gexec
-- Neither may hold a role attribute (a non-superuser administrator, such as RDS's
-- master user, may not change them: a role found with one stops the script).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname IN ('pge_migrator', 'pge_app')
             AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication
                  OR rolbypassrls)) THEN
    RAISE EXCEPTION 'pge_migrator or pge_app holds SUPERUSER, CREATEDB, CREATEROLE, '
                    'REPLICATION or BYPASSRLS: remove it first';
  END IF;
END $$;
-- An administrator that is no superuser (RDS's master user) acts for pge_migrator
-- (owner changes, default privileges) as a member of it.
SELECT format('GRANT pge_migrator TO %I', current_user)
WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \gexec
-- pge_app is no member of pge_migrator (nor the reverse): none inherits the other's rights.
SELECT format('REVOKE %I FROM %I', r.rolname, m.rolname)
FROM pg_auth_members am
JOIN pg_roles r ON r.oid = am.roleid
JOIN pg_roles m ON m.oid = am.member
WHERE (r.rolname, m.rolname) IN (('pge_migrator', 'pge_app'), ('pge_app', 'pge_migrator')) \gexec

-- A DDL statement queued behind the peak's traffic must give up, not stall every query
-- behind it: the migration role's own defaults, beside those `pge migrate` sets itself
-- (PGE_MIGRATE_LOCK_TIMEOUT, PGE_MIGRATE_STATEMENT_TIMEOUT).
ALTER ROLE pge_migrator SET lock_timeout = '5s';
ALTER ROLE pge_migrator SET statement_timeout = '15min';

-- The database: both connect; only the migrator creates (a trusted extension such as
-- pg_trgm needs CREATE on the database); nobody else gets in or makes temporary tables.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO pge_migrator, pge_app', current_database()) \gexec
SELECT format('GRANT CREATE ON DATABASE %I TO pge_migrator', current_database()) \gexec
SELECT format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM pge_app', current_database()) \gexec

-- The schema: owned by the migrator; the app may only look things up in it.
ALTER SCHEMA public OWNER TO pge_migrator;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM pge_app;
GRANT USAGE ON SCHEMA public TO pge_app;

-- A database whose objects another role made (the former single `pge_app` that owned
-- everything, or the administrator): they pass to the migrator. Objects an extension owns
-- (pg_trgm's functions) stay the extension's.
SELECT format('ALTER %s %s OWNER TO pge_migrator',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              c.oid::regclass)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND c.relowner <> 'pge_migrator'::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i')) \gexec
SELECT format('ALTER ROUTINE %s OWNER TO pge_migrator', p.oid::regprocedure)
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND p.proowner <> 'pge_migrator'::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e') \gexec

-- What exists now.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM pge_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pge_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM pge_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pge_app;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO pge_app;

-- What later migrations create (as pge_migrator).
ALTER DEFAULT PRIVILEGES FOR ROLE pge_migrator IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pge_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pge_migrator IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO pge_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pge_migrator REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE pge_migrator IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO pge_app;

-- The migration ledger (sea-orm's seaql_migrations, made by the first `pge migrate`):
-- the app reads it (readiness: every migration applied) and never writes it.
SELECT 'REVOKE INSERT, UPDATE, DELETE ON seaql_migrations FROM pge_app'
WHERE to_regclass('public.seaql_migrations') IS NOT NULL \gexec
