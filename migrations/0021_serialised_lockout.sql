-- The AUTH lockout, serialised per login, and visible to administrators (issue 10).
--
-- authenticate() of 0007 counted a login's recent failures and then wrote
-- one more, without a lock: parallel wrong guesses all counted the same few
-- failures and each was let through to try (7 counted instead of 5). Now
-- every attempt on a login first takes a transaction-level advisory lock for
-- that login, so attempts on one login run one after another (others run in
-- parallel) and the fifth failure locks out the sixth guess, however they race.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- The lock key of one login's attempts.
CREATE FUNCTION dossier.auth_lock_key(p_login text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT hashtextextended('dossier.auth:' || p_login, 0)
$$;

CREATE OR REPLACE FUNCTION authenticate(p_login text, p_password text)
RETURNS TABLE (user_id bigint, role text, dept_code text, ok boolean, locked boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = dossier, public, pg_temp AS $$
DECLARE
    u        record;
    stored   text;
    failures int;
    matches  boolean;
BEGIN
    -- One attempt per login at a time; each later statement sees what the
    -- attempt before it committed (READ COMMITTED: a snapshot per statement).
    PERFORM pg_advisory_xact_lock(dossier.auth_lock_key(p_login));
    SELECT s.id, s.role, d.code, s.password_hash, s.active INTO u
      FROM users s JOIN departments d ON d.id = s.dept_id
     WHERE s.login = p_login;
    -- A fixed bcrypt hash of cost 10 keeps the timing of unknown logins alike.
    stored := coalesce(u.password_hash, '$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW9iE7j5aA5U0W6u');
    -- Compare digests of the two hashes: constant in what it reveals.
    matches := sha256(convert_to(crypt(p_password, stored), 'UTF8')) = sha256(convert_to(stored, 'UTF8'));
    SELECT count(*) INTO failures FROM auth_failures f
     WHERE f.login = p_login AND f.at > now() - interval '15 minutes';
    IF failures >= 5 THEN
        RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::text, false, true;
    ELSIF matches AND u.id IS NOT NULL AND u.active THEN
        RETURN QUERY SELECT u.id, u.role, u.code, true, false;
    ELSE
        INSERT INTO auth_failures (login) VALUES (p_login);
        RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::text, false, false;
    END IF;
END $$;

-- Locked logins and until when (USER LIST): 5 failures within 15 minutes
-- lock a login until 15 minutes after the fifth-latest of them.
CREATE FUNCTION dossier.auth_lockouts() RETURNS TABLE (login text, locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT f.login, min(f.at) + interval '15 minutes'
      FROM (SELECT a.login, a.at, row_number() OVER (PARTITION BY a.login ORDER BY a.at DESC) AS n
              FROM dossier.auth_failures a WHERE a.at > now() - interval '15 minutes') f
     WHERE f.n <= 5
     GROUP BY f.login
    HAVING count(*) >= 5
$$;

-- USER UNLOCK: forgets the login's failures (an administrator's command; the
-- row of the audit log says who did it). Returns how many were forgotten.
CREATE FUNCTION dossier.auth_unlock(p_login text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF current_setting('dossier.role', true) IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION 'only an administrator clears a lockout' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(dossier.auth_lock_key(p_login));
    DELETE FROM dossier.auth_failures WHERE login = p_login;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON FUNCTION dossier.auth_lock_key(text), dossier.auth_lockouts(), dossier.auth_unlock(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.auth_lockouts(), dossier.auth_unlock(text) TO dossier_app;
