-- TODO runs only the sections that can hold a row for the caller (issue 17).
--
-- todo() was one statement: ten section functions inlined into a UNION ALL,
-- each carrying the policies of every table it reads (hundreds of SubPlans).
-- Even with its plan cached, starting and ending that plan cost ~15 ms per
-- call on the 2-core machine, though a rep's call ran four of the sections'
-- scans at most; the approvals section also ran approval_obstacle for every
-- pending request of the company before keeping the caller's.
--
-- Now todo_sections() (plpgsql: each section's statement planned once per
-- session) runs a section only when todo_candidates() says it can have a row:
-- that probe reads ids only, through indexes, with the owner's rights, and is
-- a superset of each section's own condition (the role a section requires,
-- or a row of the caller's that the section would list). The rows listed
-- still come from the sections under the caller's row-level security, so a
-- probe can only skip work, never show anything. todo() orders and limits as
-- before; same rows, same order.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- For the probes below (each otherwise walked every row of the caller's, or of
-- the company's, that the section then filtered out).
CREATE INDEX dossiers_owner_drafts_idx ON dossiers (owner_id) WHERE status = 'draft';
CREATE INDEX approvals_pending_requester_idx ON approvals (requester_id) WHERE status = 'pending';
CREATE INDEX loans_out_borrower_idx ON loans (borrower_id, due_at) WHERE status = 'out';
CREATE INDEX customers_owner_refresh_idx ON customers (owner_id, updated_at) WHERE closed_on IS NULL AND purged_at IS NULL;
CREATE INDEX access_grants_grantee_ends_idx ON access_grants (grantee_id, expires_at) WHERE revoked_at IS NULL;

-- The sections of the acting user's TODO that can hold a row (names as in
-- todo_<name>). Superset of each section's condition; see above.
CREATE FUNCTION todo_candidates() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_role text := nullif(pg_catalog.current_setting('dossier.role', true), '');
    v_user bigint := nullif(pg_catalog.current_setting('dossier.user_id', true), '')::bigint;
    v_dept bigint := nullif(pg_catalog.current_setting('dossier.dept_id', true), '')::bigint;
    s text[] := '{}';
BEGIN
    IF v_user IS NULL THEN
        RETURN s;
    END IF;
    -- Decisions: the approver roles of approval_steps (its CHECK).
    IF v_role IN ('manager', 'director') THEN
        s := s || 'approvals'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.owner_id = v_user AND d.status = 'draft') THEN
        s := s || 'drafts'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.loans l
                WHERE l.borrower_id = v_user AND l.status = 'out' AND l.due_at <= now() + interval '24 hours') THEN
        s := s || 'borrowed'::text;
    END IF;
    IF v_role = 'archivist' THEN
        s := s || 'archive'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.customers c
                WHERE c.owner_id = v_user AND c.closed_on IS NULL AND c.purged_at IS NULL
                  AND c.updated_at < now() + interval '7 days' - interval '1 month') THEN
        s := s || 'customers'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.access_grants g
                WHERE g.grantee_id = v_user AND g.revoked_at IS NULL
                  AND g.expires_at > now() AND g.expires_at <= now() + interval '24 hours') THEN
        s := s || 'grants'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.approvals a WHERE a.requester_id = v_user AND a.status = 'pending') THEN
        s := s || 'stuck_requests'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.followups f
                WHERE f.assignee_id = v_user AND f.status = 'open' AND f.due_on <= current_date + 3)
       OR (v_role = 'manager' AND EXISTS (SELECT 1 FROM dossier.followups f
                                           WHERE f.dept_id = v_dept AND f.due_on < current_date AND f.status = 'open')) THEN
        s := s || 'followups'::text;
    END IF;
    IF v_role = 'manager' AND EXISTS (SELECT 1 FROM dossier.inspections i WHERE i.dept_id = v_dept AND i.status = 'closed') THEN
        s := s || 'inspection_losses'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM dossier.credit_receivables r WHERE r.open_fen > 0)
       AND (EXISTS (SELECT 1 FROM dossier.customers c
                     WHERE c.owner_id = v_user
                       AND EXISTS (SELECT 1 FROM dossier.credit_receivables r WHERE r.customer_id = c.id AND r.open_fen > 0))
            OR (v_role = 'manager' AND EXISTS (SELECT 1 FROM dossier.customers c
                     WHERE c.dept_id = v_dept
                       AND EXISTS (SELECT 1 FROM dossier.credit_receivables r WHERE r.customer_id = c.id AND r.open_fen > 0)))) THEN
        s := s || 'credit'::text;
    END IF;
    RETURN s;
END $$;

-- Decisions: approval_obstacle only for the requests the caller decides
-- (it ran for every pending request of the company, before the join to
-- their steps kept the caller's). Same rows.
CREATE OR REPLACE FUNCTION todo_approvals() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    WITH mine AS MATERIALIZED (
        SELECT a.id, a.created_at, a.kind, a.loan_id, a.penalty_id, a.dossier_id, a.reason, a.customer_id, a.requester_id
          FROM dossier.approvals a
          JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
         WHERE a.status = 'pending'
           AND a.requester_id <> (SELECT dossier.actor_user_id())
           AND s.approver_role = (SELECT dossier.actor_role())
           AND (s.approver_dept_id IS NULL OR s.approver_dept_id = (SELECT dossier.actor_dept_id()))
    )
    SELECT 'waiting', a.created_at, 'approval', 'A' || a.id,
           a.kind || ' ' || CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
                                 WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
                                 WHEN a.kind = 'customer_edit' THEN coalesce(c.number, '')
                                 ELSE coalesce(d.number, 'D' || a.dossier_id) END
               || ' by ' || u.login || coalesce(': ' || nullif(a.reason, ''), '')
               || coalesce(' (cannot be done now: ' || o.reason || ')', ''),
           CASE WHEN o.reason IS NULL THEN 'APPROVE A' || a.id ELSE 'REJECT A' || a.id END
      FROM mine a
      JOIN dossier.users u ON u.id = a.requester_id
      LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
      LEFT JOIN dossier.customers c ON c.id = a.customer_id
     CROSS JOIN LATERAL dossier.approval_obstacle(a.id) o
$$;

-- The sections that can hold a row, each its own statement. JIT off: a
-- section's generic estimates may pass jit_above_cost, and compiling costs
-- more than the few rows it lists.
CREATE FUNCTION todo_sections() RETURNS SETOF todo_item
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    s text[] := dossier.todo_candidates();
BEGIN
    IF 'approvals' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_approvals(); END IF;
    IF 'drafts' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_drafts(); END IF;
    IF 'borrowed' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_borrowed(); END IF;
    IF 'archive' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_archive(); END IF;
    IF 'customers' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_customers(); END IF;
    IF 'grants' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_grants(); END IF;
    IF 'stuck_requests' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_stuck_requests(); END IF;
    IF 'followups' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_followups(); END IF;
    IF 'inspection_losses' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_inspection_losses(); END IF;
    IF 'credit' = ANY (s) THEN RETURN QUERY SELECT * FROM dossier.todo_credit(); END IF;
END $$;

CREATE OR REPLACE FUNCTION todo() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT t.*
      FROM dossier.todo_sections() t
     ORDER BY array_position(ARRAY['overdue', 'today', 'waiting', 'soon'], t.urgency), t.due NULLS LAST, t.what, t.target
     LIMIT 1000
$$;

REVOKE ALL ON FUNCTION todo_candidates(), todo_sections() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo_candidates(), todo_sections() TO dossier_app;
