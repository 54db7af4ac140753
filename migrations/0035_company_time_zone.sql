-- The company's time zone (issue 11), stored in the database so that every
-- daemon agrees: each command's transaction (begin_command) and each system
-- transaction of the scheduler (begin_system_command) set TimeZone from it,
-- transaction-locally. Everything PostgreSQL derives from a timestamptz then
-- follows the company zone: `now()::date`, `current_date`, date_trunc('day'/
-- 'month'), `date::timestamptz` (so `date=` arguments are company days), the
-- scheduler's `--jobs-at`, and wire times (`wire_time`, with the offset).
-- Not in the connection's session settings: a change must reach every daemon
-- at its next command, without reconnecting.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE company_settings (
    -- One row: the primary key can only be true.
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    time_zone   text NOT NULL DEFAULT 'Asia/Shanghai' CHECK (time_zone ~ '^[A-Za-z][A-Za-z0-9/_+-]{0,63}$'),
    updated_by  bigint REFERENCES users (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO company_settings DEFAULT VALUES;

ALTER TABLE company_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY company_settings_owner ON company_settings TO dossier_owner USING (true) WITH CHECK (true);
CREATE POLICY company_settings_read ON company_settings FOR SELECT USING ((SELECT dossier.actor_role()) IS NOT NULL);
CREATE POLICY company_settings_admin ON company_settings FOR UPDATE
    USING ((SELECT dossier.actor_role()) IN ('admin', 'system'))
    WITH CHECK ((SELECT dossier.actor_role()) IN ('admin', 'system'));

-- The zone every command works in (BI tools: `SET TimeZone` to this).
CREATE FUNCTION dossier.company_time_zone() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    SELECT time_zone FROM dossier.company_settings
$$;

-- A time as the protocol writes it: ISO 8601 in the transaction's zone (the
-- company's) with its offset, `2026-12-01T00:00:00+08:00`; seconds, no fraction.
-- One spelling for every time on the wire.
CREATE FUNCTION dossier.wire_time(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.to_char(p_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')
$$;

CREATE OR REPLACE FUNCTION begin_command(p_user_id bigint)
RETURNS TABLE (user_id bigint, login text, role text, dept_id bigint, dept_code text, line text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    u record;
BEGIN
    SELECT s.id, s.login, s.role, s.dept_id, d.code, s.line, s.active INTO u
      FROM users s JOIN departments d ON d.id = s.dept_id
     WHERE s.id = p_user_id;
    IF NOT FOUND OR NOT u.active THEN
        RAISE EXCEPTION 'user % is not active', p_user_id USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    PERFORM set_config('dossier.user_id', u.id::text, true),
            set_config('dossier.login', u.login, true),
            set_config('dossier.role', u.role, true),
            set_config('dossier.dept_id', u.dept_id::text, true),
            set_config('TimeZone', (SELECT c.time_zone FROM company_settings c), true);
    RETURN QUERY SELECT u.id, u.login, u.role, u.dept_id, u.code, u.line;
END $$;

CREATE OR REPLACE FUNCTION begin_system_command(p_job text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    PERFORM set_config('dossier.user_id', '', true),
            set_config('dossier.login', 'system:' || p_job, true),
            set_config('dossier.role', 'system', true),
            set_config('dossier.dept_id', '', true),
            set_config('TimeZone', (SELECT c.time_zone FROM company_settings c), true);
END $$;

REVOKE ALL ON company_settings FROM PUBLIC;
REVOKE ALL ON FUNCTION dossier.company_time_zone(), dossier.wire_time(timestamptz) FROM PUBLIC;
GRANT SELECT, UPDATE ON company_settings TO dossier_app;
GRANT SELECT ON company_settings TO dossier_bi;
GRANT EXECUTE ON FUNCTION dossier.company_time_zone(), dossier.wire_time(timestamptz) TO dossier_app, dossier_bi;
