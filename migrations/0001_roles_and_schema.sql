-- Roles, schema and extensions. Runs as the migrating login (a superuser, or a
-- role with CREATEROLE that may SET ROLE dossier_owner).
--
-- Roles are cluster-wide while everything else is per database, so they are
-- created only when missing (a second database in the same cluster reuses them).
--   dossier_owner  owns every object; never logs in.
--   dossier_app    the daemon's role: owns nothing, no BYPASSRLS. Give it LOGIN
--                  (or grant it to a login) to run `dossierd serve`.
--   dossier_bi     group role for BI logins that read PostgreSQL directly.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dossier_owner') THEN
        CREATE ROLE dossier_owner NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dossier_app') THEN
        CREATE ROLE dossier_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        -- A role setting holds in every database of the cluster, also in copies
        -- of this one, which do not inherit ALTER DATABASE settings. (Function
        -- bodies qualify every name anyway, whatever the caller's search_path.)
        ALTER ROLE dossier_app SET search_path = dossier, public;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dossier_bi') THEN
        CREATE ROLE dossier_bi NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    -- Another database of this cluster created them at the same moment.
    NULL;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO dossier_owner', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO dossier_app, dossier_bi', current_database());
    EXECUTE format('ALTER DATABASE %I SET search_path = dossier, public', current_database());
END $$;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;  -- crypt()/gen_salt('bf'): salted slow password hashes
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;   -- substring search, three characters and more

CREATE SCHEMA dossier AUTHORIZATION dossier_owner;
GRANT USAGE ON SCHEMA dossier TO dossier_app, dossier_bi;
REVOKE ALL ON SCHEMA dossier FROM PUBLIC;

-- The migrator's own bookkeeping table lives in dossier_meta (created by the
-- migrator before this file); the daemon reads it to check the schema version.
GRANT USAGE ON SCHEMA dossier_meta TO dossier_app;
GRANT SELECT ON dossier_meta.migrations TO dossier_app;
