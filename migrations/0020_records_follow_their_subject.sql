-- Records about a dossier follow the dossier's visibility (issue 10).
--
-- Approvals, the destruction register, retention dates and audit rows are
-- kept per department, but each is *about* a dossier too, and what they carry
-- (an edit's new title in approvals.payload, the customer of a dossier in
-- dossier_retention or in the `dossier.new` audit row) is as secret as the
-- dossier. So each read policy now also asks about the dossier:
--   * approvals (and through them approval_steps): a daemon user sees an
--     approval only while they see the dossier's register entry (an approval
--     of a hidden dossier answers NOTFOUND, like the dossier); a BI login only
--     while the dossier is not top_secret (BI never reads top_secret content);
--   * destructions: only with the dossier's register entry;
--   * dossier_retention: BI logins not for top_secret dossiers (customer_id);
--   * audit_log: rows about a top_secret dossier only to its owner, directors
--     and whoever wrote them; BI logins never, and only rows about dossiers of
--     their scope. What a row is about is resolved once, when it is written
--     (about_dossier), not parsed from its target at every read.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- approvals
-------------------------------------------------------------------------------
DROP POLICY approvals_read ON approvals;
CREATE POLICY approvals_read ON approvals FOR SELECT USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN
                ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id()))
            AND (dossier_id IS NULL OR EXISTS (SELECT 1 FROM dossier.dossiers d
                                                WHERE d.id = approvals.dossier_id AND d.level <> 'top_secret'))
        WHEN (SELECT dossier.actor_role()) IS NULL THEN false
        ELSE (   ((SELECT dossier.actor_role()) IN ('manager', 'archivist') AND dept_id = (SELECT dossier.actor_dept_id()))
              OR requester_id = (SELECT dossier.actor_user_id()))
            AND (dossier_id IS NULL OR EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = approvals.dossier_id))
    END
);
DROP POLICY approvals_update ON approvals;
CREATE POLICY approvals_update ON approvals FOR UPDATE USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) IS NULL OR (SELECT dossier.actor_role()) = 'bi' THEN false
        ELSE (   ((SELECT dossier.actor_role()) IN ('manager', 'archivist') AND dept_id = (SELECT dossier.actor_dept_id()))
              OR requester_id = (SELECT dossier.actor_user_id()))
            AND (dossier_id IS NULL OR EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = approvals.dossier_id))
    END
) WITH CHECK ((SELECT dossier.actor_is_user()));

-------------------------------------------------------------------------------
-- destructions
-------------------------------------------------------------------------------
DROP POLICY destructions_read ON destructions;
CREATE POLICY destructions_read ON destructions FOR SELECT USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN
            ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id()))
        WHEN (SELECT dossier.actor_role()) = 'auditor'
          OR ((SELECT dossier.actor_role()) IN ('manager', 'archivist') AND dept_id = (SELECT dossier.actor_dept_id())) THEN
            EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = destructions.dossier_id)
        ELSE false
    END
);

-------------------------------------------------------------------------------
-- dossier_retention
-------------------------------------------------------------------------------
DROP POLICY dossier_retention_read ON dossier_retention;
CREATE POLICY dossier_retention_read ON dossier_retention FOR SELECT USING (
    CASE WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
         WHEN (SELECT dossier.actor_role()) = 'bi' THEN
             EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_retention.dossier_id AND d.level <> 'top_secret')
         ELSE EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_retention.dossier_id) END
);

-------------------------------------------------------------------------------
-- audit_log
-------------------------------------------------------------------------------
-- Not covered by the digest: a derived index of the row's target, like the
-- indexes on it. (A superuser who changes it can hide a row from a reader;
-- verification still finds any change to what the row says.)
ALTER TABLE audit_log ADD COLUMN about_dossier bigint;

-- The dossier a target names: D<n>, an archive number, A<n> (an approval),
-- L<n> (a loan), P<n> (a penalty); NULL for anything else.
CREATE FUNCTION dossier.audit_subject(p_target text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN p_target ~ '^D[1-9][0-9]{0,17}$' THEN (SELECT d.id FROM dossier.dossiers d WHERE d.id = substr(p_target, 2)::int8)
        WHEN p_target ~ '^A[1-9][0-9]{0,17}$' THEN (SELECT a.dossier_id FROM dossier.approvals a WHERE a.id = substr(p_target, 2)::int8)
        WHEN p_target ~ '^L[1-9][0-9]{0,17}$' THEN (SELECT l.dossier_id FROM dossier.loans l WHERE l.id = substr(p_target, 2)::int8)
        WHEN p_target ~ '^P[1-9][0-9]{0,17}$' THEN (SELECT p.dossier_id FROM dossier.penalties p WHERE p.id = substr(p_target, 2)::int8)
        WHEN p_target ~ '^[A-Z][A-Z0-9]*-(HT|BJ|DD|KH|XY|TS|HD|BG)-[0-9]{4}-[0-9]{4,}$'
            THEN (SELECT d.id FROM dossier.dossiers d WHERE d.number = p_target)
    END
$$;
REVOKE ALL ON FUNCTION dossier.audit_subject(text) FROM PUBLIC;

ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log SET about_dossier = dossier.audit_subject(target) WHERE target <> '';
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
CREATE INDEX audit_log_about_dossier_idx ON audit_log (about_dossier) WHERE about_dossier IS NOT NULL;

-- Is the dossier an audit row is about hidden from the session asking? Asked
-- with the owner's rights (the auditor sees audit rows about drafts whose
-- register entry they do not see), so it must not answer more than that for
-- whoever calls it directly: a daemon session (a member of dossier_app) names
-- its user in dossier.user_id — hidden is a top_secret dossier the user does
-- not own; any other session (a BI login) is told "not hidden" only for a
-- dossier below top_secret within its own scope, which it reads anyway.
CREATE FUNCTION dossier.audit_subject_hidden(p_dossier bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN pg_has_role(session_user, 'dossier_app', 'USAGE') THEN
            EXISTS (SELECT 1 FROM dossier.dossiers d
                     WHERE d.id = p_dossier AND d.level = 'top_secret'
                       AND d.owner_id IS DISTINCT FROM nullif(current_setting('dossier.user_id', true), '')::int8)
        ELSE NOT EXISTS (SELECT 1 FROM dossier.dossiers d JOIN dossier.bi_logins b ON b.role_name = session_user
                          WHERE d.id = p_dossier AND d.level <> 'top_secret'
                            AND (b.dept_id IS NULL OR b.dept_id = d.dept_id))
    END
$$;
REVOKE ALL ON FUNCTION dossier.audit_subject_hidden(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.audit_subject_hidden(bigint) TO dossier_app, dossier_bi;

DROP POLICY audit_log_read ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO dossier_app, dossier_bi USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN
                ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id()))
            AND (about_dossier IS NULL OR NOT dossier.audit_subject_hidden(about_dossier))
        WHEN (SELECT dossier.actor_role()) IS NULL THEN false
        WHEN user_id = (SELECT dossier.actor_user_id()) THEN true
        WHEN (SELECT dossier.actor_role()) = 'auditor'
          OR ((SELECT dossier.actor_role()) = 'manager' AND dept_id = (SELECT dossier.actor_dept_id())) THEN
            about_dossier IS NULL OR NOT dossier.audit_subject_hidden(about_dossier)
        ELSE false
    END
);

-- The writer of 0013, now also noting what the row is about.
CREATE OR REPLACE FUNCTION audit(p_action text, p_target text, p_purpose text DEFAULT '', p_detail text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    held  smallint := nullif(current_setting('dossier.audit_chain', true), '')::smallint;
    own   smallint := pg_backend_pid() % 32;  -- this backend's chain, tried first
    head  audit_chains;
    r     audit_log;
BEGIN
    IF held IS NOT NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = held FOR UPDATE;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = own FOR UPDATE SKIP LOCKED;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains
         ORDER BY chain < own, chain
         LIMIT 1
           FOR UPDATE SKIP LOCKED;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = own FOR UPDATE;
    END IF;
    PERFORM set_config('dossier.audit_chain', head.chain::text, true);

    -- The id is drawn under the head's lock: within a chain, ids grow with positions.
    r.id      := nextval(pg_get_serial_sequence('dossier.audit_log', 'id'));
    r.at      := clock_timestamp();
    r.user_id := nullif(current_setting('dossier.user_id', true), '')::bigint;
    r.login   := coalesce(nullif(current_setting('dossier.login', true), ''), 'system');
    r.role    := coalesce(nullif(current_setting('dossier.role', true), ''), 'system');
    r.dept_id := nullif(current_setting('dossier.dept_id', true), '')::bigint;
    r.action  := p_action;
    r.target  := coalesce(p_target, '');
    r.purpose := coalesce(p_purpose, '');
    r.detail  := coalesce(p_detail, '');
    r.digest_version := 2;
    r.chain    := head.chain;
    r.position := head.last_position + 1;
    r.prev_hash := head.last_hash;
    r.hash    := audit_digest(r.prev_hash, r);
    r.about_dossier := dossier.audit_subject(r.target);
    INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT r.*;
    UPDATE audit_chains SET last_position = r.position, last_id = r.id, last_hash = r.hash WHERE chain = r.chain;
    RETURN r.id;
END $$;

-------------------------------------------------------------------------------
-- Approval chains checked again at each decision
-------------------------------------------------------------------------------
-- Replaces the steps of a pending request still to decide (from its current
-- step on) with p_roles, a manager's step for the request's department. The
-- daemon calls it when the chain the request's subject needs now differs
-- from the one it was filed with (ApprovalEngine.recheck). Decided steps are
-- never touched. Definer rights: the daemon may not delete steps otherwise.
CREATE FUNCTION dossier.approval_replan(p_approval bigint, p_roles text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a dossier.approvals;
BEGIN
    SELECT * INTO a FROM dossier.approvals WHERE id = p_approval AND status = 'pending' FOR UPDATE;
    IF NOT FOUND OR cardinality(p_roles) = 0 THEN
        RAISE EXCEPTION 'no pending approval % to replan', p_approval USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM dossier.approval_steps s WHERE s.approval_id = a.id AND s.step_no >= a.current_step AND s.decision IS NULL;
    UPDATE dossier.approvals SET step_count = a.current_step - 1 + cardinality(p_roles) WHERE id = a.id;
    INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
    SELECT a.id, a.current_step - 1 + t.ord, t.role, CASE t.role WHEN 'manager' THEN a.dept_id END, a.requester_id
      FROM unnest(p_roles) WITH ORDINALITY AS t(role, ord);
END $$;
REVOKE ALL ON FUNCTION dossier.approval_replan(bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_replan(bigint, text[]) TO dossier_app;
