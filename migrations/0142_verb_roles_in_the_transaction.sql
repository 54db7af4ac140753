-- The command table's role check inside the command's transaction (issue 17).
--
-- The daemon checked a verb's roles after begin_command had answered, so a
-- command's statements could only travel with BEGIN when they were safe to
-- run before that check, and COMMIT always took a round trip of its own.
-- begin_command(user, roles) refuses a user whose role is not among the
-- verb's roles (the command table's list, passed by the daemon) with SQLSTATE
-- DA001 and the role as the detail. Everything pipelined after it is then
-- skipped by the server, so a command that is nothing but statements (DOSSIER
-- SHOW, DOSSIER LIST) sends BEGIN, begin_command, its statements and COMMIT
-- in one round trip. p_roles NULL: no verb check (the one-argument form,
-- for tests, tools and the operator commands that check in Swift).
-- The body is 0100's, with the check after the user is found.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION begin_command(p_user_id bigint, p_roles text[])
RETURNS TABLE (user_id bigint, login text, role text, dept_id bigint, dept_code text, line text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    u record;
    ignored text;
BEGIN
    -- company_settings holds one row; LEFT JOIN: without it the zone stays as it is.
    SELECT s.id, s.login, s.role, s.dept_id, d.code, s.line, s.active, c.time_zone INTO u
      FROM users s
      JOIN departments d ON d.id = s.dept_id
      LEFT JOIN company_settings c ON true
     WHERE s.id = p_user_id;
    IF NOT FOUND OR NOT u.active THEN
        RAISE EXCEPTION 'user % is not active', p_user_id USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    IF p_roles IS NOT NULL AND NOT u.role = ANY (p_roles) THEN
        RAISE EXCEPTION 'the command is not for role %', u.role USING ERRCODE = 'DA001', DETAIL = u.role;
    END IF;
    ignored := set_config('dossier.user_id', u.id::text, true);
    ignored := set_config('dossier.login', u.login, true);
    ignored := set_config('dossier.role', u.role, true);
    ignored := set_config('dossier.dept_id', u.dept_id::text, true);
    IF u.time_zone IS NOT NULL THEN
        ignored := set_config('TimeZone', u.time_zone, true);
    END IF;
    user_id := u.id;
    login := u.login;
    role := u.role;
    dept_id := u.dept_id;
    dept_code := u.code;
    line := u.line;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION begin_command(bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION begin_command(bigint, text[]) TO dossier_app;

-- The one-argument form: the same, without a verb check.
CREATE OR REPLACE FUNCTION begin_command(p_user_id bigint)
RETURNS TABLE (user_id bigint, login text, role text, dept_id bigint, dept_code text, line text)
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM dossier.begin_command(p_user_id, NULL::text[])
$$;
