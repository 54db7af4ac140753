-- Who is asking, and what they may see: row-level security for every table
-- that holds department data, read and enforced inside PostgreSQL so it holds
-- for the daemon and for BI logins alike.
--
-- The actor:
--   * the daemon (a login that is or inherits dossier_app) identifies the user
--     of each command with transaction-local settings written only by
--     begin_command() / begin_system_command();
--   * a BI login (member of dossier_bi) is mapped to a department, or to the
--     whole company, by bi_logins;
--   * anyone else, or missing settings, is no one: every policy fails closed.
-- Policies read the actor through (SELECT …) so it is evaluated once per
-- statement (an InitPlan), not once per row.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- The actor
-------------------------------------------------------------------------------
CREATE FUNCTION dossier.actor_role() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN pg_has_role(current_user, 'dossier_app', 'USAGE')
            THEN nullif(current_setting('dossier.role', true), '')
        WHEN pg_has_role(current_user, 'dossier_bi', 'USAGE')
            THEN (SELECT 'bi' FROM dossier.bi_logins b WHERE b.role_name = current_user)
    END
$$;

CREATE FUNCTION dossier.actor_user_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role(current_user, 'dossier_app', 'USAGE')
        THEN nullif(current_setting('dossier.user_id', true), '')::bigint
    END
$$;

-- The actor's department; for a BI login NULL means the whole company.
CREATE FUNCTION dossier.actor_dept_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN pg_has_role(current_user, 'dossier_app', 'USAGE')
            THEN nullif(current_setting('dossier.dept_id', true), '')::bigint
        WHEN pg_has_role(current_user, 'dossier_bi', 'USAGE')
            THEN (SELECT b.dept_id FROM dossier.bi_logins b WHERE b.role_name = current_user)
    END
$$;

-- A user of the daemon (or the daemon's own scheduler) is acting: may write.
CREATE FUNCTION dossier.actor_is_user() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(dossier.actor_role() IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'admin', 'system'), false)
$$;

-- A BI login whose scope covers the department.
CREATE FUNCTION dossier.bi_covers(p_dept bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (SELECT dossier.actor_role()) = 'bi'
       AND ((SELECT dossier.actor_dept_id()) IS NULL OR p_dept = (SELECT dossier.actor_dept_id()))
$$;

-- Opens a command for one user: checks they are active and writes the
-- transaction-local settings the policies read. The daemon calls this first in
-- every authenticated command's transaction.
CREATE FUNCTION begin_command(p_user_id bigint)
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
            set_config('dossier.dept_id', u.dept_id::text, true);
    RETURN QUERY SELECT u.id, u.login, u.role, u.dept_id, u.code, u.line;
END $$;

-- Opens a command of the daemon itself (scheduler jobs, handover): sees everything.
CREATE FUNCTION begin_system_command(p_job text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    PERFORM set_config('dossier.user_id', '', true),
            set_config('dossier.login', 'system:' || p_job, true),
            set_config('dossier.role', 'system', true),
            set_config('dossier.dept_id', '', true);
END $$;

CREATE FUNCTION hash_password(p_password text) RETURNS text
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    SELECT crypt(p_password, gen_salt('bf', 10))
$$;

-- AUTH: the password is checked in the database so the hash never leaves it.
-- The same work and the same answer for an unknown login, a wrong password and
-- a locked login (5 failures in 15 minutes lock it for 15 minutes).
CREATE FUNCTION authenticate(p_login text, p_password text)
RETURNS TABLE (user_id bigint, role text, dept_code text, ok boolean, locked boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = dossier, public, pg_temp AS $$
DECLARE
    u        record;
    stored   text;
    failures int;
    matches  boolean;
BEGIN
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

-------------------------------------------------------------------------------
-- Visibility (RULES.md "People and scope")
-------------------------------------------------------------------------------

-- The register entry of a dossier: filed entries company-wide (top_secret only
-- to owner and directors); drafts, submissions and deleted ones to the owner,
-- the department's manager and directors.
CREATE FUNCTION dossier.sees_dossier_register(d_dept bigint, d_level text, d_status text, d_owner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN dossier.bi_covers(d_dept)
        WHEN (SELECT dossier.actor_role()) IN ('rep', 'manager', 'archivist', 'auditor') THEN
               d_owner = (SELECT dossier.actor_user_id())
            OR (d_status IN ('filed', 'on_loan', 'destroyed') AND d_level <> 'top_secret')
            OR ((SELECT dossier.actor_role()) = 'manager' AND d_dept = (SELECT dossier.actor_dept_id()) AND d_level <> 'top_secret')
        ELSE false
    END
$$;

-- An approved, unexpired access grant or a loan that is out.
CREATE FUNCTION dossier.holds_grant_or_loan(d_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM dossier.access_grants g
                    WHERE g.dossier_id = d_id AND g.grantee_id = (SELECT dossier.actor_user_id())
                      AND g.revoked_at IS NULL AND g.starts_at <= now() AND now() < g.expires_at)
        OR EXISTS (SELECT 1 FROM dossier.loans l
                    WHERE l.dossier_id = d_id AND l.borrower_id = (SELECT dossier.actor_user_id()) AND l.status = 'out')
$$;

-- The content of a dossier ("sees" column of RULES.md).
CREATE FUNCTION dossier.sees_dossier_content(d_id bigint, d_dept bigint, d_level text, d_status text, d_owner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN d_level <> 'top_secret' AND dossier.bi_covers(d_dept)
        WHEN (SELECT dossier.actor_role()) IN ('rep', 'manager', 'archivist') THEN
               d_owner = (SELECT dossier.actor_user_id())
            OR ((SELECT dossier.actor_role()) = 'manager' AND d_dept = (SELECT dossier.actor_dept_id()) AND d_level <> 'top_secret')
            -- The archivist keeps the paper of what is filed, not drafts or dossiers being deleted.
            OR ((SELECT dossier.actor_role()) = 'archivist' AND d_dept = (SELECT dossier.actor_dept_id()) AND d_level <> 'top_secret'
                AND d_status IN ('filed', 'on_loan'))
            OR dossier.holds_grant_or_loan(d_id)
        ELSE false   -- auditor: register only; admin: no customer data
    END
$$;

-- A customer's directory entry is company-wide (duplicates are found before
-- one is created); its details follow the content rule of its dossiers.
CREATE FUNCTION dossier.sees_customer_directory(c_dept bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system', 'rep', 'manager', 'archivist', 'auditor') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN dossier.bi_covers(c_dept)
        ELSE false
    END
$$;

CREATE FUNCTION dossier.sees_customer_details(c_id bigint, c_dept bigint, c_owner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN dossier.bi_covers(c_dept)
        WHEN (SELECT dossier.actor_role()) IN ('rep', 'manager', 'archivist') THEN
               c_owner = (SELECT dossier.actor_user_id())
            OR ((SELECT dossier.actor_role()) IN ('manager', 'archivist') AND c_dept = (SELECT dossier.actor_dept_id()))
            OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c_id)
        ELSE false
    END
$$;

-- Department records (loans, penalties, approvals, …): directors and the
-- scheduler everywhere, the named roles within their department, the person
-- concerned for their own rows, BI logins within their scope.
CREATE FUNCTION dossier.sees_department_record(r_dept bigint, r_person bigint, p_dept_roles text[], p_company_roles text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN dossier.bi_covers(r_dept)
        WHEN (SELECT dossier.actor_role()) = ANY (p_company_roles) THEN true
        WHEN (SELECT dossier.actor_role()) = ANY (p_dept_roles) AND r_dept = (SELECT dossier.actor_dept_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IS NOT NULL THEN r_person = (SELECT dossier.actor_user_id())
        ELSE false
    END
$$;

-------------------------------------------------------------------------------
-- Policies
-------------------------------------------------------------------------------
-- Shorthand used below: reads as the predicate; inserts by any daemon user
-- (the daemon checks who may do what before writing); updates and deletes only
-- of rows the actor can see.
CREATE PROCEDURE protect(p_table text, p_read text, p_write boolean DEFAULT true, p_remove boolean DEFAULT false)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', p_table);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', p_table);
    -- The owner runs migrations and the SECURITY DEFINER functions above.
    EXECUTE format('CREATE POLICY %I ON %I TO dossier_owner USING (true) WITH CHECK (true)', p_table || '_owner', p_table);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (%s)', p_table || '_read', p_table, p_read);
    IF p_write THEN
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK ((SELECT dossier.actor_is_user()))', p_table || '_insert', p_table);
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (%s) WITH CHECK ((SELECT dossier.actor_is_user()))',
                       p_table || '_update', p_table, p_read);
    END IF;
    IF p_remove THEN
        EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING (%s)', p_table || '_delete', p_table, p_read);
    END IF;
END $$;

CALL protect('users', $p$ (SELECT dossier.actor_is_user()) OR dossier.bi_covers(dept_id) $p$);
CALL protect('customers', $p$ dossier.sees_customer_directory(dept_id) $p$);
CALL protect('customer_details', $p$ EXISTS (SELECT 1 FROM customers c WHERE c.id = customer_details.customer_id
                                              AND dossier.sees_customer_details(c.id, c.dept_id, c.owner_id)) $p$, true, true);
CALL protect('dossiers', $p$ dossier.sees_dossier_register(dept_id, level, status, owner_id) $p$);
CALL protect('dossier_contents', $p$ EXISTS (SELECT 1 FROM dossiers d WHERE d.id = dossier_contents.dossier_id
                                              AND dossier.sees_dossier_content(d.id, d.dept_id, d.level, d.status, d.owner_id)) $p$, true, true);
CALL protect('items', $p$ EXISTS (SELECT 1 FROM dossier_contents c WHERE c.dossier_id = items.dossier_id) $p$, true, true);
CALL protect('change_history', $p$ CASE WHEN dossier_id IS NOT NULL
        THEN EXISTS (SELECT 1 FROM dossier_contents c WHERE c.dossier_id = change_history.dossier_id)
        ELSE EXISTS (SELECT 1 FROM customer_details cd WHERE cd.customer_id = change_history.customer_id) END $p$);
CALL protect('approvals', $p$ dossier.sees_department_record(dept_id, requester_id, '{manager,archivist}', '{}') $p$);
CALL protect('approval_steps', $p$ EXISTS (SELECT 1 FROM approvals a WHERE a.id = approval_steps.approval_id) $p$);
CALL protect('access_grants', $p$ dossier.sees_department_record(dept_id, grantee_id, '{manager}', '{}') $p$);
CALL protect('handovers', $p$ dossier.sees_department_record(dept_id, leaver_id, '{manager}', '{admin}') $p$);
CALL protect('handover_items', $p$ EXISTS (SELECT 1 FROM handovers h WHERE h.id = handover_items.handover_id) $p$);
CALL protect('loans', $p$ dossier.sees_department_record(dept_id, borrower_id, '{manager,archivist}', '{auditor}') $p$);
CALL protect('legal_holds', $p$ EXISTS (SELECT 1 FROM dossiers d WHERE d.id = legal_holds.dossier_id) $p$);
CALL protect('destructions', $p$ dossier.sees_department_record(dept_id, NULL, '{manager,archivist}', '{auditor}') $p$);
CALL protect('penalties', $p$ dossier.sees_department_record(dept_id, user_id, '{manager}', '{auditor}') $p$);
CALL protect('penalty_month_counts', $p$ (SELECT dossier.actor_is_user()) $p$);
CALL protect('audit_log', $p$ dossier.sees_department_record(dept_id, user_id, '{manager}', '{auditor}') $p$, false);
CALL protect('audit_chain_head', 'false', false);
CALL protect('customer_counters', $p$ (SELECT dossier.actor_is_user()) $p$);
CALL protect('archive_counters', $p$ (SELECT dossier.actor_is_user()) $p$);
CALL protect('job_runs', $p$ (SELECT dossier.actor_is_user()) $p$);
CALL protect('bi_logins', $p$ role_name = current_user $p$, false);

-- Company-wide settings: everyone reads, only administrators (and the scheduler) change them.
CREATE PROCEDURE protect_setting(p_table text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', p_table);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', p_table);
    EXECUTE format('CREATE POLICY %I ON %I TO dossier_owner USING (true) WITH CHECK (true)', p_table || '_owner', p_table);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING ((SELECT dossier.actor_role()) IS NOT NULL)', p_table || '_read', p_table);
    EXECUTE format($f$CREATE POLICY %I ON %I FOR ALL USING ((SELECT dossier.actor_role()) IN ('admin', 'system'))
                      WITH CHECK ((SELECT dossier.actor_role()) IN ('admin', 'system'))$f$, p_table || '_admin', p_table);
END $$;
CALL protect_setting('departments');
CALL protect_setting('calendar_days');
CALL protect_setting('retention_rules');
CALL protect_setting('loan_rules');
CALL protect_setting('penalty_rules');

DROP PROCEDURE protect(text, text, boolean, boolean);
DROP PROCEDURE protect_setting(text);

-------------------------------------------------------------------------------
-- Privileges
-------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA dossier FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA dossier FROM PUBLIC;

-- Policies call these with the caller's rights.
GRANT EXECUTE ON FUNCTION dossier.actor_role(), dossier.actor_user_id(), dossier.actor_dept_id(), dossier.actor_is_user(), dossier.bi_covers(bigint),
    dossier.sees_dossier_register(bigint, text, text, bigint), dossier.holds_grant_or_loan(bigint),
    dossier.sees_dossier_content(bigint, bigint, text, text, bigint), dossier.sees_customer_directory(bigint),
    dossier.sees_customer_details(bigint, bigint, bigint), dossier.sees_department_record(bigint, bigint, text[], text[]),
    audit_digest(bytea, audit_log)
    TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION begin_command(bigint), begin_system_command(text), hash_password(text),
    authenticate(text, text), audit(text, text, text, text), audit_verify()
    TO dossier_app;

-- The daemon: reads and writes through the policies; never updates or deletes
-- audit rows, history or the destruction register; never reads password hashes.
GRANT SELECT, INSERT, UPDATE ON customers, customer_counters, archive_counters, dossiers, approvals, approval_steps,
    access_grants, handovers, handover_items, loans, legal_holds, penalties, penalty_month_counts, job_runs,
    departments, calendar_days, retention_rules, loan_rules, penalty_rules
    TO dossier_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_details, dossier_contents, items TO dossier_app;
GRANT DELETE ON calendar_days TO dossier_app;
GRANT SELECT, INSERT ON change_history, destructions TO dossier_app;
GRANT SELECT ON audit_log TO dossier_app;
-- Read by dossier.actor_role() in every plan; its policy shows the daemon no rows.
GRANT SELECT ON bi_logins TO dossier_app;
GRANT SELECT (id, login, name, dept_id, role, line, active, left_at, created_at, updated_at) ON users TO dossier_app;
GRANT INSERT (login, name, dept_id, role, line, password_hash, active) ON users TO dossier_app;
GRANT UPDATE (name, dept_id, role, line, password_hash, active, left_at, updated_at) ON users TO dossier_app;

-- BI logins: read-only, within their scope; no hashes, counters or internals.
GRANT SELECT ON departments, customers, customer_details, dossiers, dossier_contents, items, change_history,
    approvals, approval_steps, access_grants, handovers, handover_items, loans, legal_holds, destructions,
    penalties, audit_log, calendar_days, retention_rules, loan_rules, penalty_rules, bi_logins
    TO dossier_bi;
GRANT SELECT (id, login, name, dept_id, role, line, active, left_at, created_at, updated_at) ON users TO dossier_bi;
