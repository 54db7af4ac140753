-- Password checks of one login in parallel; only the verdict is serialised.
--
-- 0021 took the login's advisory lock before bcrypt, so attempts on one login
-- queued behind each other's password hashing (tens of milliseconds each on
-- a busy machine). Thirty terminals of one manager signing in at once waited
-- past lock_timeout and were told ERR CONFLICT. Now the hash is compared
-- first, without the lock; the lock is taken only to count recent failures,
-- decide and record a failure. The lockout holds as before: every verdict is
-- given under the lock from committed failures, so the sixth wrong guess is
-- refused however many race, and a right password guessed after the fifth
-- failure is still answered "locked".
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION authenticate(p_login text, p_password text)
RETURNS TABLE (user_id bigint, role text, dept_code text, ok boolean, locked boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = dossier, public, pg_temp AS $$
DECLARE
    u        record;
    stored   text;
    failures int;
    matches  boolean;
BEGIN
    SELECT s.id, s.password_hash INTO u FROM users s WHERE s.login = p_login;
    -- A fixed bcrypt hash of cost 10 keeps the timing of unknown logins alike.
    stored := coalesce(u.password_hash, '$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW9iE7j5aA5U0W6u');
    -- Compare digests of the two hashes: constant in what it reveals.
    matches := sha256(convert_to(crypt(p_password, stored), 'UTF8')) = sha256(convert_to(stored, 'UTF8'));

    -- The verdict, one attempt per login at a time; each statement below sees
    -- what the attempt before it committed (READ COMMITTED).
    PERFORM pg_advisory_xact_lock(dossier.auth_lock_key(p_login));
    SELECT s.id, s.role, d.code, s.password_hash, s.active INTO u
      FROM users s JOIN departments d ON d.id = s.dept_id
     WHERE s.login = p_login;
    -- A password changed while the hash was computed: the match was against the old one.
    matches := matches AND u.password_hash IS NOT DISTINCT FROM stored;
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
