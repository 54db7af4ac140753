-- Who may read and write what: every row-level security policy of the
-- product's tables, the functions they use and the triggers that check state
-- transitions, in one file (issue 10).
--
-- `dossierd migrate` applies this file after the numbered migrations, in one
-- transaction, whenever it changed or a migration was applied; it records its
-- checksum in dossier_meta.policies, and `dossierd serve` refuses a database
-- whose policies are not this file's. The file is idempotent: for every table
-- named here it first drops all policies of that table, then creates the ones
-- below, so this is the whole truth for these tables whatever the numbered
-- migrations did before. (Tables not named here keep their own policies.)
--
-- The actor: the daemon (a login that is or inherits dossier_app) names the
-- user of each command in transaction-local settings written only through
-- begin_command() / begin_system_command(); a BI login (member of dossier_bi)
-- is mapped to a department, or the company, by bi_logins; anyone else, or
-- missing settings, is no one: every policy fails closed.
--
-- Policies call the actor functions directly, never through (SELECT …)
-- (issue 17): the actor functions are plain expressions the planner inlines
-- (pg_has_role and current_setting, no sub-select), so a policy costs a few
-- comparisons per row, and `owner_id = dossier.actor_user_id()` can be an
-- index condition. Wrapped in (SELECT …), each call was an InitPlan of its
-- own: a one-row lookup through the nested policies of dossier_contents
-- planned and started ~250 of them, which cost more than the lookup, and
-- actor_role() with its BI sub-select was never inlined (an SQL function
-- executed afresh per statement). A BI login's mapping is read by the two
-- plpgsql helpers below (their plans are cached per session).
--
-- Reading the policies: USING decides which existing rows a command sees or
-- may change; WITH CHECK which rows it may write. The daemon's own checks in
-- Swift are a second line: a bug in a command cannot write past these.
-- In the comments, "manager of the department" is a manager whose dept_id is
-- the row's; "system" is the daemon's scheduler and company-wide jobs.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- The actor
-------------------------------------------------------------------------------
-- A BI login's mapping (bi_logins, read with the login's own rights).
CREATE OR REPLACE FUNCTION dossier.bi_login_role() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT 'bi' FROM dossier.bi_logins b WHERE b.role_name = current_user);
END $$;

CREATE OR REPLACE FUNCTION dossier.bi_login_dept_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT b.dept_id FROM dossier.bi_logins b WHERE b.role_name = current_user);
END $$;

-- Which kind of session this is: 'app' for the daemon's role (and members of
-- it), 'bi' for BI logins, NULL otherwise (the owner inside SECURITY DEFINER
-- functions, other roles). The daemon's settings (dossier.role, …) are believed
-- only in 'app' sessions: anyone can set a custom setting, so a BI login must
-- not be able to borrow them.
--
-- Declared IMMUTABLE although it reads current_user, so that the planner folds
-- it to a constant and the actor functions below reduce to a plain setting read
-- in the daemon's plans (issue 17: the membership tests, repeated in every
-- policy expression, were a quarter of the backend's time in DOSSIER SHOW).
-- This is safe because a plan is only ever used by the user it was made for:
-- plans live in one session, and PostgreSQL re-plans every statement that
-- row-level security touched when current_user changes (SET ROLE, SECURITY
-- DEFINER); a SECURITY DEFINER function's own statements always run as its
-- owner. Use it only inside the actor functions, never in an index, a
-- constraint or a default.
--
-- PL/pgSQL (issue 17): the planner evaluates it once per use in a statement's
-- policies (a hundred times for one lookup of customer_details); as an SQL
-- function its body was parsed and planned at every evaluation, here it is
-- compiled once per session. Planning that lookup: 12.5 -> 7.7 ms.
CREATE OR REPLACE FUNCTION dossier.session_kind() RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN CASE
        WHEN pg_has_role(current_user, 'dossier_app', 'USAGE') THEN 'app'
        WHEN pg_has_role(current_user, 'dossier_bi', 'USAGE') THEN 'bi'
    END;
END $$;

CREATE OR REPLACE FUNCTION dossier.actor_role() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE dossier.session_kind()
        WHEN 'app' THEN nullif(current_setting('dossier.role', true), '')
        WHEN 'bi' THEN dossier.bi_login_role()
    END
$$;

CREATE OR REPLACE FUNCTION dossier.actor_user_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT CASE dossier.session_kind()
        WHEN 'app' THEN nullif(current_setting('dossier.user_id', true), '')::bigint
    END
$$;

-- The actor's department; for a BI login NULL means the whole company.
CREATE OR REPLACE FUNCTION dossier.actor_dept_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT CASE dossier.session_kind()
        WHEN 'app' THEN nullif(current_setting('dossier.dept_id', true), '')::bigint
        WHEN 'bi' THEN dossier.bi_login_dept_id()
    END
$$;

-- A user of the daemon (or the daemon's own scheduler) is acting.
CREATE OR REPLACE FUNCTION dossier.actor_is_user() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(dossier.actor_role() IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'admin', 'system'), false)
$$;

-- Is this session the product at work (the daemon's role or a BI login), as
-- opposed to a superuser repairing or loading data? The transition triggers
-- below check the product's sessions only.
-- PL/pgSQL (issue 17): as an SQL function with a sub-select it was never
-- inlined, and its body was planned afresh at every call, by every trigger
-- below (~0.07 ms each); here the plan is kept for the session.
CREATE OR REPLACE FUNCTION dossier.session_is_product() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false);
END $$;

-- The dossiers the actor holds through a current access grant or a loan out
-- to them, as one array: the content policies ask it once per statement, in
-- an InitPlan that runs only when a row is not the actor's otherwise.
-- Invoker's rights: access_grants and loans are read through their own
-- policies, as the sub-selects it replaces were.
CREATE OR REPLACE FUNCTION dossier.actor_held_dossier_ids() RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(SELECT g.dossier_id FROM dossier.access_grants g
                  WHERE g.grantee_id = dossier.actor_user_id() AND g.revoked_at IS NULL
                    AND g.starts_at <= now() AND now() < g.expires_at
                 UNION ALL
                 SELECT l.dossier_id FROM dossier.loans l
                  WHERE l.borrower_id = dossier.actor_user_id() AND l.status = 'out');
END $$;

-- The content of a dossier as the policy of dossier_contents decides it,
-- for SQL that asks per row (RETENTION DUE). Kept next to that policy and
-- checked against it by PolicyFileTests: the same predicate, twice, because
-- a policy that calls a function with sub-selects cannot be inlined (0009).
CREATE OR REPLACE FUNCTION dossier.sees_dossier_content(d_id bigint, d_dept bigint, d_level text, d_status text, d_owner bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            d_level <> 'top_secret' AND (dossier.actor_dept_id() IS NULL OR d_dept = dossier.actor_dept_id())
        WHEN dossier.actor_role() IN ('rep', 'manager', 'archivist') THEN
               d_owner = dossier.actor_user_id()
            OR (dossier.actor_role() = 'manager' AND d_dept = dossier.actor_dept_id() AND d_level <> 'top_secret')
            OR (dossier.actor_role() = 'archivist' AND d_dept = dossier.actor_dept_id() AND d_level <> 'top_secret'
                AND d_status IN ('filed', 'on_loan'))
            OR d_id = ANY ((SELECT dossier.actor_held_dossier_ids())::bigint[])
        ELSE false   -- auditor: register only; admin: no customer data
    END
$$;

-------------------------------------------------------------------------------
-- Start from nothing for every table named here
-------------------------------------------------------------------------------
DO $$
DECLARE
    t text;
    p record;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'departments', 'calendar_days', 'retention_rules', 'loan_rules', 'penalty_rules',
                             'customers', 'customer_details', 'customer_counters', 'dossiers', 'dossier_contents', 'items',
                             'archive_counters', 'change_history', 'approvals', 'approval_steps', 'access_grants',
                             'handovers', 'handover_items', 'loans', 'legal_holds', 'destructions', 'dossier_retention',
                             'penalties', 'penalty_month_counts', 'audit_log', 'audit_chains', 'audit_seals', 'audit_checkpoints',
                             'job_runs', 'bi_logins', 'company_settings', 'customer_keys', 'data_keys',
                             'followup_templates', 'followups', 'inspections', 'inspection_checks',
                             'credit_plans', 'credit_receivables', 'credit_payments', 'credit_settlements',
                             'customer_name_bigrams'] LOOP
        EXECUTE format('ALTER TABLE dossier.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE dossier.%I FORCE ROW LEVEL SECURITY', t);
        FOR p IN SELECT policyname FROM pg_catalog.pg_policies WHERE schemaname = 'dossier' AND tablename = t LOOP
            EXECUTE format('DROP POLICY %I ON dossier.%I', p.policyname, t);
        END LOOP;
        -- The owner runs migrations and the SECURITY DEFINER functions.
        EXECUTE format('CREATE POLICY %I ON dossier.%I TO dossier_owner USING (true) WITH CHECK (true)', t || '_owner', t);
    END LOOP;
END $$;

-- The helpers of 0007 that no policy uses any more (their policies are gone now): they had drifted from
-- the inlined policies (penalty visibility of 0011, approvals of 0020).
DROP FUNCTION IF EXISTS dossier.sees_dossier_register(bigint, text, text, bigint);
DROP FUNCTION IF EXISTS dossier.sees_customer_directory(bigint);
DROP FUNCTION IF EXISTS dossier.sees_customer_details(bigint, bigint, bigint);
DROP FUNCTION IF EXISTS dossier.sees_department_record(bigint, bigint, text[], text[]);
DROP FUNCTION IF EXISTS dossier.holds_grant_or_loan(bigint);

-------------------------------------------------------------------------------
-- Company settings: every actor reads; administrators (and the system) write
-------------------------------------------------------------------------------
CREATE POLICY departments_read ON departments FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY departments_admin ON departments FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));
CREATE POLICY calendar_days_read ON calendar_days FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY calendar_days_admin ON calendar_days FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));
CREATE POLICY retention_rules_read ON retention_rules FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY retention_rules_admin ON retention_rules FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));
CREATE POLICY loan_rules_read ON loan_rules FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY loan_rules_admin ON loan_rules FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));
CREATE POLICY penalty_rules_read ON penalty_rules FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY penalty_rules_admin ON penalty_rules FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));

-- Counters and job leases: technical rows any acting user's command moves on.
CREATE POLICY customer_counters_use ON customer_counters FOR ALL
    USING (dossier.actor_is_user()) WITH CHECK (dossier.actor_is_user());
CREATE POLICY archive_counters_use ON archive_counters FOR ALL
    USING (dossier.actor_is_user()) WITH CHECK (dossier.actor_is_user());
CREATE POLICY job_runs_use ON job_runs FOR ALL
    USING (dossier.actor_is_user()) WITH CHECK (dossier.actor_is_user());
CREATE POLICY penalty_month_counts_use ON penalty_month_counts FOR ALL
    USING (dossier.actor_is_user()) WITH CHECK (dossier.actor_is_user());

-- A BI login reads its own mapping (actor_role() needs it).
CREATE POLICY bi_logins_read ON bi_logins FOR SELECT USING (role_name = current_user);

-------------------------------------------------------------------------------
-- users
-------------------------------------------------------------------------------
-- Read: every acting user (the directory); BI logins within their scope.
CREATE POLICY users_read ON users FOR SELECT USING (
    dossier.actor_is_user()
    OR (dossier.actor_role() = 'bi' AND (dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()))
);
-- Write: administrators (USER ADD, USER LEAVE) and the system (handover);
-- a user changes their own row only (USER PASSWD), and users_guard below
-- keeps them from changing who they are.
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (dossier.actor_role() IN ('admin', 'system'));
CREATE POLICY users_update ON users FOR UPDATE
    USING (dossier.actor_role() IN ('admin', 'system') OR id = dossier.actor_user_id())
    WITH CHECK (dossier.actor_role() IN ('admin', 'system') OR id = dossier.actor_user_id());

CREATE OR REPLACE FUNCTION dossier.users_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF dossier.session_is_product() AND coalesce(current_setting('dossier.role', true), '') NOT IN ('admin', 'system')
       AND (NEW.login, NEW.role, NEW.dept_id, NEW.active, NEW.left_at, NEW.line)
           IS DISTINCT FROM (OLD.login, OLD.role, OLD.dept_id, OLD.active, OLD.left_at, OLD.line) THEN
        RAISE EXCEPTION 'only an administrator changes a user''s login, role, department, line or activity'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS users_guard ON users;
CREATE TRIGGER users_guard BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION dossier.users_guard();

-------------------------------------------------------------------------------
-- customers, customer_details
-------------------------------------------------------------------------------
-- Read: the directory entry company-wide (duplicates are found before one
-- is created); BI logins within scope.
CREATE POLICY customers_read ON customers FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system', 'rep', 'manager', 'archivist', 'auditor') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        ELSE false
    END
);
-- Create: a rep or manager for their own department (a rep owns what they
-- create; a manager may name an owner), a director for anyone.
CREATE POLICY customers_insert ON customers FOR INSERT WITH CHECK (
       dossier.actor_role() IN ('director', 'system')
    OR (dossier.actor_role() = 'rep' AND owner_id = dossier.actor_user_id() AND dept_id = dossier.actor_dept_id())
    OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())
);
-- Change: its owner (who cannot give it away), the manager of its
-- department, directors and the system (handover, destruction's purge).
CREATE POLICY customers_update ON customers FOR UPDATE
    USING (
           dossier.actor_role() IN ('director', 'system')
        OR owner_id = dossier.actor_user_id()
        OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
    WITH CHECK (
           dossier.actor_role() IN ('director', 'system')
        OR owner_id = dossier.actor_user_id()
        OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()));

-- Read: the details follow the content rule of the customer's dossiers.
CREATE POLICY customer_details_read ON customer_details FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_details.customer_id
        AND CASE
            WHEN dossier.actor_role() IN ('director', 'system') THEN true
            WHEN dossier.actor_role() = 'bi' THEN
                dossier.actor_dept_id() IS NULL OR c.dept_id = dossier.actor_dept_id()
            WHEN dossier.actor_role() IN ('rep', 'manager', 'archivist') THEN
                   c.owner_id = dossier.actor_user_id()
                OR (dossier.actor_role() IN ('manager', 'archivist') AND c.dept_id = dossier.actor_dept_id())
                OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id)
            ELSE false
        END)
);
-- Create: with the customer, by whoever may create one. Not tied to the
-- customers row: CUSTOMER NEW and the import write both tables in one
-- statement, whose WITH CHECK cannot see the customer inserted beside it; a
-- customer has exactly one details row (its key), written at its creation.
CREATE POLICY customer_details_insert ON customer_details FOR INSERT WITH CHECK (
    dossier.actor_role() IN ('rep', 'manager', 'director', 'system')
);
-- Change: whoever may change the customer (above). Never deleted.
CREATE POLICY customer_details_update ON customer_details FOR UPDATE
    USING (
        EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_details.customer_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR c.owner_id = dossier.actor_user_id()
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id()))))
    WITH CHECK (
        EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_details.customer_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR c.owner_id = dossier.actor_user_id()
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id()))));

-- customer_name_bigrams (0130): the names' bigrams in number order, for CUSTOMER
-- FIND. Only its owner's policy (above): read by customer_name_hits and written
-- by the customers trigger, both as the owner; no role of the product reads it.

-- customer_keys (0070): a customer's wrapped data key goes with its details.
-- Read: whoever sees the details row (its own policy decides, inside this one).
CREATE POLICY customer_keys_read ON customer_keys FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customer_details d WHERE d.customer_id = customer_keys.customer_id)
);
-- Create: with the customer (as customer_details_insert); change and delete
-- (rotation, the sealing of old clear text, destruction's crypto-shredding):
-- whoever may change the customer, and the system.
CREATE POLICY customer_keys_insert ON customer_keys FOR INSERT WITH CHECK (
    dossier.actor_role() IN ('rep', 'manager', 'director', 'system')
);
CREATE POLICY customer_keys_update ON customer_keys FOR UPDATE
    USING (
        EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_keys.customer_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR c.owner_id = dossier.actor_user_id()
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id()))))
    WITH CHECK (
        EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_keys.customer_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR c.owner_id = dossier.actor_user_id()
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id()))));
CREATE POLICY customer_keys_delete ON customer_keys FOR DELETE USING (
    EXISTS (SELECT 1 FROM dossier.customers c WHERE c.id = customer_keys.customer_id
               AND (   dossier.actor_role() IN ('director', 'system')
                    OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id()))));
-- data_keys (0070): ids and check MACs of the master keys, read by the daemon;
-- written only by dossier.register_data_key (definer).
CREATE POLICY data_keys_read ON data_keys FOR SELECT USING (dossier.actor_role() IS NOT NULL);

-------------------------------------------------------------------------------
-- dossiers (the register card)
-------------------------------------------------------------------------------
-- Read: filed entries company-wide (top_secret only to owner and directors);
-- drafts, submissions and deleted ones to the owner, the department's
-- manager and directors; BI logins every entry within scope.
CREATE POLICY dossiers_read ON dossiers FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() IN ('rep', 'manager', 'archivist', 'auditor') THEN
               owner_id = dossier.actor_user_id()
            OR (status IN ('filed', 'on_loan', 'destroyed') AND level <> 'top_secret')
            OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id() AND level <> 'top_secret')
        ELSE false
    END
);
-- Create: a draft, owned by its creator (rep, manager, director), in the
-- creator's department unless a director creates it.
CREATE POLICY dossiers_insert ON dossiers FOR INSERT WITH CHECK (
    dossier.actor_role() IN ('rep', 'manager', 'director')
    AND owner_id = dossier.actor_user_id()
    AND status = 'draft' AND number IS NULL
    AND (dossier.actor_role() = 'director' OR dept_id = dossier.actor_dept_id())
);
-- Change: its owner (who keeps it), the manager of its department below
-- top_secret (approvals they decide), the department's archivist for a filed
-- or lent dossier (check-out and return), directors and the system. Which
-- status changes are possible at all is dossiers_transition's decision.
CREATE POLICY dossiers_update ON dossiers FOR UPDATE
    USING (
           dossier.actor_role() IN ('director', 'system')
        OR owner_id = dossier.actor_user_id()
        OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id() AND level <> 'top_secret')
        OR (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id() AND level <> 'top_secret'
            AND status IN ('filed', 'on_loan')))
    WITH CHECK (
           dossier.actor_role() IN ('director', 'system')
        OR owner_id = dossier.actor_user_id()
        -- an approved edit may raise the level past what the manager sees
        OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())
        OR (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id() AND level <> 'top_secret'
            AND status IN ('filed', 'on_loan')));

-- The lifecycle (RULES.md): draft → submitted → filed ⇄ on_loan → deleted
-- (grace) → purged, or filed → destroyed; a rejected or withdrawn
-- submission returns to draft; a deleted dossier is restored to where it
-- was. Each step only the way the product takes it: filing, deletion and
-- destruction only with their approved request, lending only with a loan
-- out, the purge only by the system after the grace. (Superusers loading or
-- repairing data are not checked.)
-- One IF per transition rather than one CASE over all of them (issue 17): a
-- CASE whose branches hold every transition's sub-select costs so much more
-- as a generic plan that PostgreSQL planned it afresh at every status change
-- (~0.23 ms); each branch here is a statement of its own, planned once.
CREATE OR REPLACE FUNCTION dossier.dossiers_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor   bigint := nullif(current_setting('dossier.user_id', true), '')::int8;
    role    text := coalesce(current_setting('dossier.role', true), '');
    step    text := OLD.status || '>' || NEW.status;
    allowed boolean;
BEGIN
    IF NOT dossier.session_is_product() THEN
        RETURN NEW;
    END IF;
    IF step = 'filed>on_loan' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.loans l WHERE l.dossier_id = NEW.id AND l.status = 'out');
    ELSIF step = 'on_loan>filed' THEN
        allowed := NOT EXISTS (SELECT 1 FROM dossier.loans l WHERE l.dossier_id = NEW.id AND l.status = 'out');
    ELSIF step = 'draft>submitted' THEN
        allowed := NEW.owner_id = actor;
    ELSIF step = 'submitted>draft' THEN
        allowed := NOT EXISTS (SELECT 1 FROM dossier.approvals a
                                WHERE a.dossier_id = NEW.id AND a.kind = 'file' AND a.status = 'pending');
    ELSIF step = 'submitted>filed' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a
                            WHERE a.dossier_id = NEW.id AND a.kind = 'file' AND a.status = 'approved'
                              AND a.decided_at = now());
    ELSIF step IN ('draft>deleted', 'submitted>deleted', 'filed>deleted') THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a
                            WHERE a.dossier_id = NEW.id AND a.kind = 'delete' AND a.status = 'approved' AND a.decided_at = now());
    ELSIF step = 'deleted>draft' THEN
        allowed := OLD.status_before_delete = 'draft' AND OLD.purge_after > now();
    ELSIF step = 'deleted>submitted' THEN
        allowed := OLD.status_before_delete = 'submitted' AND OLD.purge_after > now();
    ELSIF step = 'deleted>filed' THEN
        allowed := OLD.status_before_delete = 'filed' AND OLD.purge_after > now();
    ELSIF step = 'deleted>purged' THEN
        allowed := role = 'system' AND OLD.purge_after <= now();
    ELSIF step = 'filed>destroyed' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a
                            WHERE a.dossier_id = NEW.id AND a.kind = 'destroy' AND a.status = 'approved'
                              AND a.decided_at = now());
    ELSE
        allowed := false;
    END IF;
    IF NOT coalesce(allowed, false) THEN
        RAISE EXCEPTION 'dossier %: % to % is not allowed', NEW.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dossiers_transition';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS dossiers_transition ON dossiers;
CREATE TRIGGER dossiers_transition BEFORE UPDATE OF status ON dossiers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION dossier.dossiers_transition();

-------------------------------------------------------------------------------
-- dossier_contents, items (the content)
-------------------------------------------------------------------------------
-- Read: the "sees" column of RULES.md (sees_dossier_content says the same).
-- The dossiers the caller holds by a grant or a loan are one set, read once
-- per statement by actor_held_dossier_ids() and only when a row is not
-- already the caller's by ownership or department (issue 17). As a
-- correlated EXISTS the loans were probed once per dossier (CUSTOMER FIND
-- checks every dossier of 20 customers); as sub-selects in the policy, the
-- grants and loans sub-plans, with their own tables' policies, were built at
-- every execution even when never run: 15 % of PostgreSQL's instructions for
-- a DOSSIER SHOW (callgrind: 2.11M -> 1.80M per SHOW).
CREATE POLICY dossier_contents_read ON dossier_contents FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_contents.dossier_id
        AND CASE
            WHEN dossier.actor_role() IN ('director', 'system') THEN true
            WHEN dossier.actor_role() = 'bi' THEN
                d.level <> 'top_secret' AND (dossier.actor_dept_id() IS NULL OR d.dept_id = dossier.actor_dept_id())
            WHEN dossier.actor_role() IN ('rep', 'manager', 'archivist') THEN
                   d.owner_id = dossier.actor_user_id()
                OR (dossier.actor_role() = 'manager' AND d.dept_id = dossier.actor_dept_id() AND d.level <> 'top_secret')
                OR (dossier.actor_role() = 'archivist' AND d.dept_id = dossier.actor_dept_id() AND d.level <> 'top_secret'
                    AND d.status IN ('filed', 'on_loan'))
                OR d.id = ANY ((SELECT dossier.actor_held_dossier_ids())::bigint[])
            ELSE false
        END)
);
-- Create: the owner, with their draft.
CREATE POLICY dossier_contents_insert ON dossier_contents FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_contents.dossier_id
               AND d.owner_id = dossier.actor_user_id() AND d.status = 'draft')
);
-- Change: the owner of a draft; approved edits of a filed dossier, applied
-- by the manager of its department (below top_secret) or a director.
CREATE POLICY dossier_contents_update ON dossier_contents FOR UPDATE
    USING (
        EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_contents.dossier_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR (d.owner_id = dossier.actor_user_id() AND d.status = 'draft')
                        OR (dossier.actor_role() = 'manager' AND d.dept_id = dossier.actor_dept_id()
                            AND d.level <> 'top_secret'))))
    WITH CHECK (
        EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_contents.dossier_id
                   AND (   dossier.actor_role() IN ('director', 'system')
                        OR (d.owner_id = dossier.actor_user_id() AND d.status = 'draft')
                        OR (dossier.actor_role() = 'manager' AND d.dept_id = dossier.actor_dept_id()))));
-- Remove: destruction (its approver: the manager of the department for an
-- internal dossier, else a director) and the purge (the system).
CREATE POLICY dossier_contents_delete ON dossier_contents FOR DELETE USING (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_contents.dossier_id
               AND (   dossier.actor_role() IN ('director', 'system')
                    OR (dossier.actor_role() = 'manager' AND d.dept_id = dossier.actor_dept_id()
                        AND d.level <> 'top_secret')))
);

CREATE POLICY items_read ON items FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = items.dossier_id)
);
-- Create: the owner of a draft (ITEM ADD). Items are never changed.
CREATE POLICY items_insert ON items FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = items.dossier_id
               AND d.owner_id = dossier.actor_user_id() AND d.status = 'draft')
);
CREATE POLICY items_delete ON items FOR DELETE USING (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = items.dossier_id
               AND (   dossier.actor_role() IN ('director', 'system')
                    OR (dossier.actor_role() = 'manager' AND d.dept_id = dossier.actor_dept_id()
                        AND d.level <> 'top_secret')))
);

-- change_history: read with the content (or the customer's details) it is
-- about; written by the approver who applies the change. Never changed.
CREATE POLICY change_history_read ON change_history FOR SELECT USING (
    CASE WHEN dossier_id IS NOT NULL
         THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = change_history.dossier_id)
         ELSE EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = change_history.customer_id) END
);
CREATE POLICY change_history_insert ON change_history FOR INSERT WITH CHECK (
       approved_by = dossier.actor_user_id()
    OR dossier.actor_role() = 'system'
    -- CUSTOMER CONFIRM: the owner's unapproved "nothing changed" of their own customer
    OR (    field = 'confirmed' AND approved_by IS NULL AND old_value IS NULL AND new_value IS NULL
        AND requested_by = dossier.actor_user_id()
        AND EXISTS (SELECT 1 FROM dossier.customers c
                     WHERE c.id = change_history.customer_id AND c.owner_id = dossier.actor_user_id()))
);

-------------------------------------------------------------------------------
-- approvals, approval_steps
-------------------------------------------------------------------------------
-- Read: the department's managers and archivists and the requester, but an
-- approval about a dossier only while its register entry is visible (as
-- hidden as the dossier); BI logins within scope, never about top_secret.
-- The dossier is asked for once, for BI logins and users alike (issue 17:
-- two sub-selects, each with dossiers_read inside, were set up by every
-- statement that reads approvals or approval_steps), and by its key: OFFSET 0
-- keeps the planner from turning the sub-select into a hash of the whole
-- dossiers table (it did when the table was small, every row through
-- dossiers_read at every statement; at any size it is one index probe per
-- approval row). Directors and the system see every approval, as before.
CREATE POLICY approvals_read ON approvals FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() IS NULL THEN false
        WHEN dossier.actor_role() = 'bi' THEN dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        ELSE (dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id())
             OR requester_id = dossier.actor_user_id()
    END
    AND (   dossier_id IS NULL OR dossier.actor_role() IN ('director', 'system')
         OR EXISTS (SELECT 1 FROM dossier.dossiers d
                     WHERE d.id = approvals.dossier_id AND (d.level <> 'top_secret' OR dossier.actor_role() <> 'bi')
                    OFFSET 0))
);
-- Create: one's own request, pending; approved from the start only by a
-- manager or director acting on their own authority (CUSTOMER SET).
CREATE POLICY approvals_insert ON approvals FOR INSERT WITH CHECK (
    requester_id = dossier.actor_user_id()
    AND (status = 'pending' OR (status = 'approved' AND dossier.actor_role() IN ('manager', 'director')))
);
-- Change: the requester (withdrawal), the manager of the department and
-- directors (decisions); what a change may be is approvals_transition's.
CREATE POLICY approvals_update ON approvals FOR UPDATE
    USING (
           dossier.actor_role() IN ('director', 'system')
        OR (   (requester_id = dossier.actor_user_id()
                OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
            AND (dossier_id IS NULL OR EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = approvals.dossier_id))))
    WITH CHECK (
           dossier.actor_role() IN ('director', 'system')
        OR requester_id = dossier.actor_user_id()
        OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()));

-- A request moves on only by its steps' decisions: to the next step when the
-- current one is approved, to `approved` when every step is, to `rejected`
-- when one is; `withdrawn` only by its requester; `cancelled` (0030) with
-- the reason it was closed for. So nobody approves a
-- request, their own least, by writing the row.
-- (One IF per status rather than a CASE of sub-selects: see dossiers_transition.)
CREATE OR REPLACE FUNCTION dossier.approvals_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor   bigint := nullif(current_setting('dossier.user_id', true), '')::int8;
    allowed boolean;
BEGIN
    IF NOT dossier.session_is_product() THEN
        RETURN NEW;
    END IF;
    -- Two IFs: the comparison alone is a simple expression; the look-up
    -- runs (and starts an executor) only when the step moves (issue 17).
    IF NEW.current_step > OLD.current_step THEN
        IF NOT EXISTS (SELECT 1 FROM dossier.approval_steps s
                        WHERE s.approval_id = NEW.id AND s.step_no = OLD.current_step AND s.decision = 'approved') THEN
            RAISE EXCEPTION 'approval %: step % is not approved', NEW.id, OLD.current_step
                USING ERRCODE = 'check_violation', CONSTRAINT = 'approvals_transition';
        END IF;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NEW.status = 'approved' THEN
            allowed := (SELECT count(*) FROM dossier.approval_steps s
                         WHERE s.approval_id = NEW.id AND s.decision = 'approved') = NEW.step_count;
        ELSIF NEW.status = 'rejected' THEN
            allowed := EXISTS (SELECT 1 FROM dossier.approval_steps s
                                WHERE s.approval_id = NEW.id AND s.decision = 'rejected');
        ELSIF NEW.status = 'withdrawn' THEN
            allowed := OLD.requester_id = actor;
        -- closed for good with its reason (0030: its subject went away); grants nothing
        ELSIF NEW.status = 'cancelled' THEN
            allowed := NEW.closed_reason IS NOT NULL;
        ELSE
            allowed := false;
        END IF;
        IF NOT (OLD.status = 'pending' AND allowed) THEN
            RAISE EXCEPTION 'approval %: % to % is not allowed', NEW.id, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'approvals_transition';
        END IF;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS approvals_transition ON approvals;
CREATE TRIGGER approvals_transition BEFORE UPDATE OF status, current_step ON approvals
    FOR EACH ROW EXECUTE FUNCTION dossier.approvals_transition();

CREATE POLICY approval_steps_read ON approval_steps FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.approvals a WHERE a.id = approval_steps.approval_id)
);
-- Create: the steps of one's own request.
CREATE POLICY approval_steps_insert ON approval_steps FOR INSERT WITH CHECK (
    requester_id = dossier.actor_user_id()
    AND EXISTS (SELECT 1 FROM dossier.approvals a
                 WHERE a.id = approval_steps.approval_id AND a.requester_id = dossier.actor_user_id())
);
-- Decide: only the step's approver — a director for a director's step, the
-- manager of the step's department for a manager's — and never the requester.
CREATE POLICY approval_steps_decide ON approval_steps FOR UPDATE
    USING (
        decision IS NULL AND requester_id IS DISTINCT FROM dossier.actor_user_id()
        AND (   (approver_role = 'director' AND dossier.actor_role() = 'director')
             OR (approver_role = 'manager' AND dossier.actor_role() = 'manager'
                 AND approver_dept_id = dossier.actor_dept_id())))
    WITH CHECK (
        decided_by = dossier.actor_user_id() AND requester_id <> dossier.actor_user_id()
        AND (   (approver_role = 'director' AND dossier.actor_role() = 'director')
             OR (approver_role = 'manager' AND dossier.actor_role() = 'manager'
                 AND approver_dept_id = dossier.actor_dept_id())));

-------------------------------------------------------------------------------
-- access_grants
-------------------------------------------------------------------------------
CREATE POLICY access_grants_read ON access_grants FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id() THEN true
        WHEN dossier.actor_role() IS NOT NULL THEN grantee_id = dossier.actor_user_id()
        ELSE false
    END
);
-- Create: only from the grantee's approved access request, by its last
-- approver (the manager of the department or a director). Never changed.
CREATE POLICY access_grants_insert ON access_grants FOR INSERT WITH CHECK (
    (dossier.actor_role() = 'director'
     OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
    AND EXISTS (SELECT 1 FROM dossier.approvals a
                 WHERE a.id = access_grants.approval_id AND a.kind = 'access' AND a.status = 'approved'
                   AND a.requester_id = access_grants.grantee_id AND a.dossier_id = access_grants.dossier_id)
);
-- Revoke (ACCESS REVOKE): the grantee, the department's manager or a
-- director ends a grant early, in their own name. access_grants_guard below
-- keeps everything else of a grant as it was, and a revocation final.
CREATE POLICY access_grants_revoke ON access_grants FOR UPDATE USING (
    dossier.actor_role() = 'director'
    OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())
    OR (dossier.actor_is_user() AND grantee_id = dossier.actor_user_id())
) WITH CHECK (revoked_at IS NOT NULL AND revoked_by = dossier.actor_user_id());

CREATE OR REPLACE FUNCTION dossier.access_grants_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF dossier.session_is_product() AND (
           OLD.revoked_at IS NOT NULL
        OR (NEW.dossier_id, NEW.dept_id, NEW.grantee_id, NEW.approval_id, NEW.purpose, NEW.starts_at, NEW.expires_at)
           IS DISTINCT FROM (OLD.dossier_id, OLD.dept_id, OLD.grantee_id, OLD.approval_id, OLD.purpose, OLD.starts_at, OLD.expires_at)) THEN
        RAISE EXCEPTION 'a grant is only ever revoked, once' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS access_grants_guard ON access_grants;
CREATE TRIGGER access_grants_guard BEFORE UPDATE ON access_grants FOR EACH ROW EXECUTE FUNCTION dossier.access_grants_guard();

-------------------------------------------------------------------------------
-- loans
-------------------------------------------------------------------------------
CREATE POLICY loans_read ON loans FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() = 'auditor' THEN true
        WHEN dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id() THEN true
        WHEN dossier.actor_role() IS NOT NULL THEN borrower_id = dossier.actor_user_id()
        ELSE false
    END
);
-- Create: one's own request.
CREATE POLICY loans_insert ON loans FOR INSERT WITH CHECK (
    borrower_id = dossier.actor_user_id() AND status = 'requested'
);
-- Change: the borrower (their request), the department's manager and
-- archivist, directors; what may change is loans_transition's.
CREATE POLICY loans_update ON loans FOR UPDATE
    USING (
           dossier.actor_role() IN ('director', 'system')
        OR borrower_id = dossier.actor_user_id()
        OR (dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id()))
    WITH CHECK (
           dossier.actor_role() IN ('director', 'system')
        OR borrower_id = dossier.actor_user_id()
        OR (dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id()));

-- requested → approved/rejected/withdrawn only as its approval went;
-- approved → out and out → returned only by an archivist of the owning
-- department, who is recorded as having done it.
-- (One IF per transition rather than a CASE of sub-selects: see dossiers_transition.)
CREATE OR REPLACE FUNCTION dossier.loans_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor   bigint := nullif(current_setting('dossier.user_id', true), '')::int8;
    role    text := coalesce(current_setting('dossier.role', true), '');
    dept    bigint := nullif(current_setting('dossier.dept_id', true), '')::int8;
    step    text := OLD.status || '>' || NEW.status;
    allowed boolean;
BEGIN
    IF NOT dossier.session_is_product() THEN
        RETURN NEW;
    END IF;
    IF step = 'approved>out' THEN
        allowed := role = 'archivist' AND NEW.dept_id = dept AND NEW.checked_out_by = actor;
    ELSIF step = 'out>returned' THEN
        allowed := role = 'archivist' AND NEW.dept_id = dept AND NEW.returned_by = actor;
    ELSIF step = 'requested>approved' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a WHERE a.id = NEW.approval_id AND a.status = 'approved');
    ELSIF step = 'requested>rejected' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a WHERE a.id = NEW.approval_id AND a.status = 'rejected');
    ELSIF step = 'requested>withdrawn' THEN
        allowed := EXISTS (SELECT 1 FROM dossier.approvals a WHERE a.id = NEW.approval_id AND a.status = 'withdrawn');
    -- 0030: a request, or an approved loan not yet out, closed because its subject went away
    ELSIF step IN ('requested>cancelled', 'approved>cancelled') THEN
        allowed := true;
    ELSE
        allowed := false;
    END IF;
    IF NOT coalesce(allowed, false) THEN
        RAISE EXCEPTION 'loan %: % to % is not allowed', NEW.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'loans_transition';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS loans_transition ON loans;
CREATE TRIGGER loans_transition BEFORE UPDATE OF status ON loans
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION dossier.loans_transition();

-------------------------------------------------------------------------------
-- legal_holds, destructions, retention dates
-------------------------------------------------------------------------------
CREATE POLICY legal_holds_read ON legal_holds FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = legal_holds.dossier_id)
);
-- Place and release: the manager of the department or a director, in their own name.
CREATE POLICY legal_holds_insert ON legal_holds FOR INSERT WITH CHECK (
    placed_by = dossier.actor_user_id()
    AND (dossier.actor_role() = 'director'
         OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
);
CREATE POLICY legal_holds_update ON legal_holds FOR UPDATE
    USING (dossier.actor_role() = 'director'
           OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
    WITH CHECK (released_by = dossier.actor_user_id()
                AND (dossier.actor_role() = 'director'
                     OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())));

-- The destruction register: read with the destroyed dossier's register entry
-- by the department's managers and archivists and the auditor; written only
-- with the dossier's approved destruction, by its approver. Never changed.
CREATE POLICY destructions_read ON destructions FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() = 'auditor'
          OR (dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id()) THEN
            EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = destructions.dossier_id)
        ELSE false
    END
);
CREATE POLICY destructions_insert ON destructions FOR INSERT WITH CHECK (
    (dossier.actor_role() = 'director'
     OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()))
    AND EXISTS (SELECT 1 FROM dossier.approvals a
                 WHERE a.id = destructions.approval_id AND a.kind = 'destroy' AND a.status = 'approved'
                   AND a.dossier_id = destructions.dossier_id)
);

-- Retention dates: with the register entry; BI logins not of top_secret
-- dossiers (the row names the customer). Written only by the functions of 0012.
-- One sub-select, not one per kind of actor (issue 17): PostgreSQL builds
-- every sub-plan of a policy at each execution, run or not (a retention
-- lookup: 233K -> 163K instructions).
CREATE POLICY dossier_retention_read ON dossier_retention FOR SELECT USING (
    dossier.actor_role() IN ('director', 'system')
    OR EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_retention.dossier_id
                  AND (d.level <> 'top_secret' OR dossier.actor_role() IS DISTINCT FROM 'bi'))
);

-------------------------------------------------------------------------------
-- company_settings (one row: the company's time zone and consent rule)
-------------------------------------------------------------------------------
-- Read by every actor (each command works in the company's zone); changed by
-- an administrator (COMPANY SET) or the system.
CREATE POLICY company_settings_read ON company_settings FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY company_settings_admin ON company_settings FOR UPDATE
    USING (dossier.actor_role() IN ('admin', 'system'))
    WITH CHECK (dossier.actor_role() IN ('admin', 'system'));

-------------------------------------------------------------------------------
-- handovers (USER LEAVE runs them as the system)
-------------------------------------------------------------------------------
CREATE POLICY handovers_read ON handovers FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system', 'admin') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id() THEN true
        -- The leaver, and the successor who took the work over.
        WHEN dossier.actor_role() IS NOT NULL THEN leaver_id = dossier.actor_user_id()
                                                         OR successor_id = dossier.actor_user_id()
        ELSE false
    END
);
CREATE POLICY handovers_write ON handovers FOR ALL
    USING (dossier.actor_role() = 'system') WITH CHECK (dossier.actor_role() = 'system');
CREATE POLICY handover_items_read ON handover_items FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.handovers h WHERE h.id = handover_items.handover_id)
);
CREATE POLICY handover_items_write ON handover_items FOR INSERT WITH CHECK (dossier.actor_role() = 'system');

-------------------------------------------------------------------------------
-- penalties
-------------------------------------------------------------------------------
-- Read: auditors and directors all; the department's managers and
-- archivists theirs; whoever recorded one; the person charged.
CREATE POLICY penalties_read ON penalties FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() = 'auditor' THEN true
        WHEN recorded_by = dossier.actor_user_id() THEN true
        WHEN dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id() THEN true
        WHEN dossier.actor_role() IS NOT NULL THEN user_id = dossier.actor_user_id()
        ELSE false
    END
);
-- Charge: the sweep (system); by hand, in one's own name and never against
-- oneself, auditors and directors anyone, managers and archivists their
-- department (an archivist also the borrower of a loan returned incomplete);
-- the approver of a filing its missing signatures.
CREATE POLICY penalties_insert ON penalties FOR INSERT WITH CHECK (
       dossier.actor_role() = 'system'
    OR (    recorded_by = dossier.actor_user_id() AND user_id <> dossier.actor_user_id()
        AND (   dossier.actor_role() IN ('auditor', 'director')
             OR (dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id())
             OR (dossier.actor_role() = 'archivist' AND loan_id IS NOT NULL AND rule_code = 'LOST_OR_DAMAGED')))
    OR (    recorded_by IS NULL AND rule_code IN ('MISSING_CUSTOMER_SIGNATURE', 'MISSING_INTERNAL_SIGNATURE')
        AND dossier.actor_role() IN ('manager', 'director'))
);
-- Change: whoever sees it may ask for a waiver (the pending request is noted
-- on the row); only a director marks it waived.
CREATE POLICY penalties_update ON penalties FOR UPDATE
    USING (
        CASE
            WHEN dossier.actor_role() IN ('director', 'system', 'auditor') THEN true
            WHEN recorded_by = dossier.actor_user_id() THEN true
            WHEN dossier.actor_role() IN ('manager', 'archivist') AND dept_id = dossier.actor_dept_id() THEN true
            WHEN dossier.actor_role() IN ('rep', 'admin') THEN user_id = dossier.actor_user_id()
            ELSE false
        END)
    WITH CHECK (dossier.actor_is_user() AND (status = 'charged' OR dossier.actor_role() IN ('director', 'system')));

-------------------------------------------------------------------------------
-- followup_templates, followups (issue 15: follow-up visits, 回访)
-------------------------------------------------------------------------------
-- Templates are settings: every actor reads, administrators write.
CREATE POLICY followup_templates_read ON followup_templates FOR SELECT USING (dossier.actor_role() IS NOT NULL);
CREATE POLICY followup_templates_admin ON followup_templates FOR ALL
    USING (dossier.actor_role() IN ('admin', 'system')) WITH CHECK (dossier.actor_role() IN ('admin', 'system'));

-- Read: a visit is content of its customer — whoever sees the customer's
-- details (their policy, applied inside) sees its visits — and its assignee
-- sees it; BI logins within scope; auditors and administrators never.
CREATE POLICY followups_read ON followups FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() IN ('rep', 'manager', 'archivist') THEN
               assignee_id = dossier.actor_user_id()
            OR EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = followups.customer_id)
        ELSE false
    END
);
-- Plan: in one's own name, open, for an open customer of the visit's
-- department and an assignee of that department: the customer's owner for
-- themselves, the department's manager for anyone there, a director.
CREATE POLICY followups_insert ON followups FOR INSERT WITH CHECK (
        planned_by = dossier.actor_user_id() AND status = 'open'
    AND EXISTS (SELECT 1 FROM dossier.users u WHERE u.id = followups.assignee_id AND u.dept_id = followups.dept_id AND u.active)
    AND EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = followups.customer_id AND c.dept_id = followups.dept_id AND c.closed_on IS NULL
                   AND (   dossier.actor_role() = 'director'
                        OR (c.owner_id = dossier.actor_user_id() AND followups.assignee_id = dossier.actor_user_id())
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())))
);
-- Record: the assignee, in their own name; the system (a handover moves open
-- visits to the successor). Reassign (FOLLOWUP ASSIGN): the department's
-- manager, a director. Cancel (FOLLOWUP CANCEL), in one's own name: the
-- customer's owner, the department's manager, a director. What may change
-- is followups_guard's.
CREATE POLICY followups_update ON followups FOR UPDATE
    USING (   dossier.actor_role() IN ('system', 'director') OR assignee_id = dossier.actor_user_id()
           OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())
           OR EXISTS (SELECT 1 FROM dossier.customers c
                       WHERE c.id = followups.customer_id AND c.owner_id = dossier.actor_user_id()))
    WITH CHECK (dossier.actor_role() = 'system'
                OR (status = 'done' AND assignee_id = dossier.actor_user_id() AND recorded_by = dossier.actor_user_id())
                OR (status = 'open' AND (   dossier.actor_role() = 'director'
                                         OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())))
                OR (status = 'cancelled' AND cancelled_by = dossier.actor_user_id()
                    AND (   dossier.actor_role() = 'director'
                         OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id())
                         OR EXISTS (SELECT 1 FROM dossier.customers c
                                     WHERE c.id = followups.customer_id AND c.owner_id = dossier.actor_user_id()))));

-- A visit changes once, open → done by its record (method, outcome,
-- satisfaction, objection, the day, who, when) or open → cancelled (who,
-- when, why); the plan itself (customer, due day, template, who planned it)
-- never changes. An open visit may go to another assignee: by the system
-- (a handover), a manager or a director. Never deleted (no policy, no grant).
CREATE OR REPLACE FUNCTION dossier.followups_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT dossier.session_is_product() THEN
        RETURN NEW;
    END IF;
    IF (NEW.customer_id, NEW.dept_id, NEW.planned_by, NEW.template, NEW.step_no, NEW.due_on, NEW.note, NEW.created_at)
       IS DISTINCT FROM (OLD.customer_id, OLD.dept_id, OLD.planned_by, OLD.template, OLD.step_no, OLD.due_on, OLD.note, OLD.created_at)
       OR OLD.status <> 'open'
       OR (NEW.status = 'open' AND (NEW.assignee_id = OLD.assignee_id
                                    OR coalesce(current_setting('dossier.role', true), '') NOT IN ('system', 'manager', 'director')))
       OR (NEW.status IN ('done', 'cancelled') AND NEW.assignee_id <> OLD.assignee_id)
       OR (NEW.status IN ('open', 'cancelled') AND (NEW.method, NEW.outcome, NEW.satisfaction, NEW.objection, NEW.visited_on,
                                                    NEW.recorded_by, NEW.recorded_at) IS DISTINCT FROM
                                                   (OLD.method, OLD.outcome, OLD.satisfaction, OLD.objection, OLD.visited_on,
                                                    OLD.recorded_by, OLD.recorded_at))
       OR (NEW.status IN ('open', 'done') AND (NEW.cancelled_by, NEW.cancelled_at, NEW.cancel_reason)
                                              IS DISTINCT FROM (OLD.cancelled_by, OLD.cancelled_at, OLD.cancel_reason)) THEN
        RAISE EXCEPTION 'visit %: this change is not allowed', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'followups_guard';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS followups_guard ON followups;
CREATE TRIGGER followups_guard BEFORE UPDATE ON followups FOR EACH ROW EXECUTE FUNCTION dossier.followups_guard();

-------------------------------------------------------------------------------
-- inspections, inspection_checks (issue 15: periodic inspection, 盘点)
-------------------------------------------------------------------------------
-- Read: the department's archivists and managers, directors; BI logins within
-- scope. (A check names the dossier's shelf: content, so not the auditor.)
CREATE POLICY inspections_read ON inspections FOR SELECT USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
            dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id()
        WHEN dossier.actor_role() IN ('manager', 'archivist') THEN dept_id = dossier.actor_dept_id()
        ELSE false
    END
);
-- Open: the department's archivist, in their own name.
CREATE POLICY inspections_insert ON inspections FOR INSERT WITH CHECK (
    dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id()
    AND opened_by = dossier.actor_user_id() AND status = 'open'
);
-- Close: the department's archivist, in their own name; a closed one stays closed.
CREATE POLICY inspections_update ON inspections FOR UPDATE
    USING (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id() AND status = 'open')
    WITH CHECK (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id()
                AND status = 'closed' AND closed_by = dossier.actor_user_id());

CREATE POLICY inspection_checks_read ON inspection_checks FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.inspections i WHERE i.id = inspection_checks.inspection_id)
    AND (dossier.actor_role() IN ('director', 'system', 'bi')
         OR EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = inspection_checks.dossier_id))
);
-- Record (and correct while it is open): the department's archivist, in their
-- own name, in the department's open inspection, of a dossier of the department.
CREATE POLICY inspection_checks_insert ON inspection_checks FOR INSERT WITH CHECK (
    dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id()
    AND checked_by = dossier.actor_user_id()
    AND EXISTS (SELECT 1 FROM dossier.inspections i
                 WHERE i.id = inspection_checks.inspection_id AND i.status = 'open' AND i.dept_id = inspection_checks.dept_id)
    AND EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = inspection_checks.dossier_id AND d.dept_id = inspection_checks.dept_id)
);
CREATE POLICY inspection_checks_update ON inspection_checks FOR UPDATE
    USING (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id()
           AND EXISTS (SELECT 1 FROM dossier.inspections i WHERE i.id = inspection_checks.inspection_id AND i.status = 'open'))
    WITH CHECK (dossier.actor_role() = 'archivist' AND dept_id = dossier.actor_dept_id()
                AND checked_by = dossier.actor_user_id()
                AND EXISTS (SELECT 1 FROM dossier.inspections i
                             WHERE i.id = inspection_checks.inspection_id AND i.status = 'open' AND i.dept_id = inspection_checks.dept_id));

-------------------------------------------------------------------------------
-- credit_plans, credit_receivables, credit_payments, credit_settlements
-- (issue 15: credit management, 客户信用档案)
-------------------------------------------------------------------------------
-- Read: credit records are content of their customer — whoever sees the
-- customer's details (their policy, applied inside: owner, the department's
-- manager and archivist, holders of a grant, directors, BI logins within
-- scope) sees them; auditors and administrators never.
CREATE POLICY credit_plans_read ON credit_plans FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = credit_plans.customer_id)
);
CREATE POLICY credit_receivables_read ON credit_receivables FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = credit_receivables.customer_id)
);
CREATE POLICY credit_payments_read ON credit_payments FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = credit_payments.customer_id)
);
CREATE POLICY credit_settlements_read ON credit_settlements FOR SELECT USING (
    EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = credit_settlements.customer_id)
);
-- Arrears and payments: in one's own name, for a customer of the row's
-- department, by its owner, the department's manager or a director (who may
-- change the customer); arrears only for an open customer. A plan and its
-- instalments: the department's manager or a director (the plan is their
-- decision, 延期还款审批), for an open customer.
CREATE POLICY credit_plans_insert ON credit_plans FOR INSERT WITH CHECK (
        created_by = dossier.actor_user_id()
    AND EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = credit_plans.customer_id AND c.dept_id = credit_plans.dept_id AND c.closed_on IS NULL
                   AND (   dossier.actor_role() = 'director'
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())))
);
CREATE POLICY credit_receivables_insert ON credit_receivables FOR INSERT WITH CHECK (
        created_by = dossier.actor_user_id() AND paid_fen = 0 AND planned_fen = 0
    AND EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = credit_receivables.customer_id AND c.dept_id = credit_receivables.dept_id
                   AND c.closed_on IS NULL
                   AND (   dossier.actor_role() = 'director'
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())
                        OR (c.owner_id = dossier.actor_user_id() AND credit_receivables.plan_id IS NULL)))
);
CREATE POLICY credit_payments_insert ON credit_payments FOR INSERT WITH CHECK (
        recorded_by = dossier.actor_user_id()
    AND EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = credit_payments.customer_id AND c.dept_id = credit_payments.dept_id
                   AND (   dossier.actor_role() = 'director'
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())
                        OR c.owner_id = dossier.actor_user_id()))
);
-- A settlement names a receivable of its customer and department, and the
-- payment or plan of the same customer (which the caller just wrote).
CREATE POLICY credit_settlements_insert ON credit_settlements FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM dossier.credit_receivables r JOIN dossier.customers c ON c.id = r.customer_id
             WHERE r.id = credit_settlements.receivable_id AND r.customer_id = credit_settlements.customer_id
               AND r.dept_id = credit_settlements.dept_id
               AND (   dossier.actor_role() = 'director'
                    OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())
                    OR (c.owner_id = dossier.actor_user_id() AND credit_settlements.plan_id IS NULL)))
    AND (   EXISTS (SELECT 1 FROM dossier.credit_payments p
                     WHERE p.id = credit_settlements.payment_id AND p.customer_id = credit_settlements.customer_id
                       AND p.recorded_by = dossier.actor_user_id())
         OR EXISTS (SELECT 1 FROM dossier.credit_plans p
                     WHERE p.id = credit_settlements.plan_id AND p.customer_id = credit_settlements.customer_id
                       AND p.created_by = dossier.actor_user_id()))
);
-- Settle (a payment, or moving an arrear into a plan): who may record the
-- payment or the plan. What may change is credit_receivables_guard's.
CREATE POLICY credit_receivables_update ON credit_receivables FOR UPDATE
    USING (
        EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = credit_receivables.customer_id
                   AND (   dossier.actor_role() = 'director'
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())
                        OR c.owner_id = dossier.actor_user_id())))
    WITH CHECK (
        EXISTS (SELECT 1 FROM dossier.customers c
                 WHERE c.id = credit_receivables.customer_id
                   AND (   dossier.actor_role() = 'director'
                        OR (dossier.actor_role() = 'manager' AND c.dept_id = dossier.actor_dept_id())
                        OR c.owner_id = dossier.actor_user_id())));

-- A receivable's amount, due day, customer and plan never change; what was
-- paid or moved into a plan only grows (the table's CHECKs keep it within
-- the amount). Plans, payments and settlements are never changed or
-- deleted (no policy, no grant).
CREATE OR REPLACE FUNCTION dossier.credit_receivables_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT dossier.session_is_product() THEN
        RETURN NEW;
    END IF;
    IF (NEW.customer_id, NEW.dept_id, NEW.plan_id, NEW.instalment_no, NEW.amount_fen, NEW.due_on, NEW.note,
        NEW.created_by, NEW.created_at)
       IS DISTINCT FROM (OLD.customer_id, OLD.dept_id, OLD.plan_id, OLD.instalment_no, OLD.amount_fen, OLD.due_on, OLD.note,
                         OLD.created_by, OLD.created_at)
       OR NEW.paid_fen < OLD.paid_fen OR NEW.planned_fen < OLD.planned_fen THEN
        RAISE EXCEPTION 'receivable %: this change is not allowed', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'credit_receivables_guard';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS credit_receivables_guard ON credit_receivables;
CREATE TRIGGER credit_receivables_guard BEFORE UPDATE ON credit_receivables
    FOR EACH ROW EXECUTE FUNCTION dossier.credit_receivables_guard();

-------------------------------------------------------------------------------
-- audit_log (rows get in only through dossier.audit()), chain heads, seals
-------------------------------------------------------------------------------
-- Read: auditors company-wide, managers their department's rows, everyone
-- their own; rows about a top_secret dossier only to its owner, directors
-- and their writer; BI logins within scope, never about top_secret. Only for
-- the daemon's and BI roles: verification runs as the owner, in parallel.
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO dossier_app, dossier_bi USING (
    CASE
        WHEN dossier.actor_role() IN ('director', 'system') THEN true
        WHEN dossier.actor_role() = 'bi' THEN
                (dossier.actor_dept_id() IS NULL OR dept_id = dossier.actor_dept_id())
            AND (about_dossier IS NULL OR NOT dossier.audit_subject_hidden(about_dossier))
        WHEN dossier.actor_role() IS NULL THEN false
        WHEN user_id = dossier.actor_user_id() THEN true
        WHEN dossier.actor_role() = 'auditor'
          OR (dossier.actor_role() = 'manager' AND dept_id = dossier.actor_dept_id()) THEN
            about_dossier IS NULL OR NOT dossier.audit_subject_hidden(about_dossier)
        ELSE false
    END
);
-- audit_chains, audit_seals and audit_checkpoints: the owner's policy only (definer functions).

-------------------------------------------------------------------------------
-- Functions the policies call with the caller's rights
-------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION dossier.session_kind(), dossier.session_is_product(), dossier.sees_dossier_content(bigint, bigint, text, text, bigint),
    dossier.actor_held_dossier_ids(),
    dossier.users_guard(), dossier.dossiers_transition(), dossier.approvals_transition(), dossier.loans_transition(),
    dossier.followups_guard(), dossier.credit_receivables_guard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.session_kind(), dossier.actor_role(), dossier.actor_user_id(), dossier.actor_dept_id(),
    dossier.actor_is_user(), dossier.bi_login_role(), dossier.bi_login_dept_id(),
    dossier.session_is_product(), dossier.sees_dossier_content(bigint, bigint, text, text, bigint),
    dossier.actor_held_dossier_ids()
    TO dossier_app, dossier_bi;
