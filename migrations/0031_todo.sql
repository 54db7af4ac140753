-- Issue 11, week A: `TODO`, what waits for the caller, most urgent first.
--
-- One row type, one function per kind of work (a section), and `todo()` that
-- puts the sections together and orders them. Every section runs with the
-- caller's rights (row-level security and the command's actor settings), so
-- it lists only what the caller may see. To add work (follow-ups, …): write a
-- section function returning `todo_item` in a later migration and
-- `CREATE OR REPLACE` `todo()` with one more `UNION ALL` line.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- urgency: `overdue` (a deadline has passed; penalties may be running),
-- `today` (a deadline within 24 hours), `waiting` (someone waits for the
-- caller's decision or action), `soon` (a deadline further off). `due`: the
-- deadline (for decisions: since when it waits). `verb`: the command that
-- resolves it.
CREATE TYPE todo_item AS (urgency text, due timestamptz, what text, target text, detail text, verb text);

CREATE FUNCTION todo_urgency(p_due timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_due <= now() THEN 'overdue' WHEN p_due <= now() + interval '24 hours' THEN 'today' ELSE 'soon' END
$$;

-- Requests whose current step the caller decides.
CREATE FUNCTION todo_approvals() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT 'waiting', a.created_at, 'approval', 'A' || a.id,
           a.kind || ' ' || CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
                                 WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
                                 WHEN a.kind = 'customer_edit' THEN coalesce(c.number, '')
                                 ELSE coalesce(d.number, 'D' || a.dossier_id) END
               || ' by ' || u.login || coalesce(': ' || nullif(a.reason, ''), '')
               || coalesce(' (cannot be done now: ' || o.reason || ')', ''),
           CASE WHEN o.reason IS NULL THEN 'APPROVE A' || a.id ELSE 'REJECT A' || a.id END
      FROM dossier.approvals a
      JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
      JOIN dossier.users u ON u.id = a.requester_id
      LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
      LEFT JOIN dossier.customers c ON c.id = a.customer_id
     CROSS JOIN LATERAL dossier.approval_obstacle(a.id) o
     WHERE a.status = 'pending'
       AND a.requester_id <> (SELECT dossier.actor_user_id())
       AND s.approver_role = (SELECT dossier.actor_role())
       AND (s.approver_dept_id IS NULL OR s.approver_dept_id = (SELECT dossier.actor_dept_id()))
$$;

-- The caller's drafts never submitted: LATE_FILING begins when the N-th working
-- day after the creation day ends (as the sweep counts it).
CREATE FUNCTION todo_drafts() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT dossier.todo_urgency(x.due), x.due, 'draft', 'D' || d.id,
           coalesce(c.title, '') || ': submit by the end of ' || to_char(w.deadline, 'YYYY-MM-DD') || ' (LATE_FILING)',
           'DOSSIER SUBMIT D' || d.id
      FROM dossier.dossiers d
      JOIN dossier.users u ON u.id = d.owner_id
      LEFT JOIN dossier.dossier_contents c ON c.dossier_id = d.id
     CROSS JOIN LATERAL (SELECT dossier.add_working_days(d.created_at::date, dossier.filing_working_days(u.line)) AS deadline) w
     CROSS JOIN LATERAL (SELECT (w.deadline + 1)::timestamptz AS due) x
     WHERE d.owner_id = (SELECT dossier.actor_user_id()) AND d.status = 'draft'
       AND NOT EXISTS (SELECT 1 FROM dossier.approvals ap WHERE ap.dossier_id = d.id AND ap.kind = 'file')
$$;

-- Loans the caller borrowed that are due within 24 hours or overdue.
CREATE FUNCTION todo_borrowed() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT dossier.todo_urgency(l.due_at), l.due_at, 'loan', 'L' || l.id,
           coalesce(d.number, 'D' || d.id) || ': bring it back to the archivist, or ask for more time',
           'LOAN EXTEND L' || l.id
      FROM dossier.loans l JOIN dossier.dossiers d ON d.id = l.dossier_id
     WHERE l.borrower_id = (SELECT dossier.actor_user_id()) AND l.status = 'out'
       AND l.due_at <= now() + interval '24 hours'
$$;

-- For archivists: their department's loans to hand out, and those due within
-- 24 hours or overdue.
CREATE FUNCTION todo_archive() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN l.status = 'approved' THEN 'waiting' ELSE dossier.todo_urgency(l.due_at) END,
           CASE WHEN l.status = 'approved' THEN l.approved_at ELSE l.due_at END,
           'loan', 'L' || l.id,
           coalesce(d.number, 'D' || d.id) || CASE WHEN l.status = 'approved' THEN ' approved for ' ELSE ' out with ' END
               || b.login,
           CASE WHEN l.status = 'approved' THEN 'LOAN CHECKOUT L' ELSE 'LOAN RETURN L' END || l.id
      FROM dossier.loans l
      JOIN dossier.dossiers d ON d.id = l.dossier_id
      JOIN dossier.users b ON b.id = l.borrower_id
     WHERE (SELECT dossier.actor_role()) = 'archivist' AND l.dept_id = (SELECT dossier.actor_dept_id())
       AND (l.status = 'approved' OR (l.status = 'out' AND l.due_at <= now() + interval '24 hours'))
$$;

-- The caller's open customers whose monthly refresh falls within a week or
-- has passed (STALE_CUSTOMER begins a month after the last update).
CREATE FUNCTION todo_customers() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT dossier.todo_urgency(x.due), x.due, 'customer', c.number,
           c.name || ': monthly refresh (STALE_CUSTOMER)', 'CUSTOMER CONFIRM ' || c.number
      FROM dossier.customers c
     CROSS JOIN LATERAL (SELECT c.updated_at + interval '1 month' AS due) x
     WHERE c.owner_id = (SELECT dossier.actor_user_id()) AND c.closed_on IS NULL AND c.purged_at IS NULL
       AND c.updated_at < now() + interval '7 days' - interval '1 month'
$$;

-- The caller's access grants that end within 24 hours.
CREATE FUNCTION todo_grants() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT 'today', g.expires_at, 'grant', coalesce(d.number, 'D' || d.id),
           'read access ends; ask again if you still need it', 'ACCESS REQUEST ' || coalesce(d.number, 'D' || d.id)
      FROM dossier.access_grants g JOIN dossier.dossiers d ON d.id = g.dossier_id
     WHERE g.grantee_id = (SELECT dossier.actor_user_id()) AND g.revoked_at IS NULL
       AND g.expires_at > now() AND g.expires_at <= now() + interval '24 hours'
$$;

-- The caller's own pending requests that cannot be carried out now.
CREATE FUNCTION todo_stuck_requests() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT 'soon', a.created_at, 'request', 'A' || a.id, a.kind || ': cannot be done now: ' || o.reason,
           'WITHDRAW A' || a.id
      FROM dossier.approvals a CROSS JOIN LATERAL dossier.approval_obstacle(a.id) o
     WHERE a.requester_id = (SELECT dossier.actor_user_id()) AND a.status = 'pending' AND o.reason IS NOT NULL
$$;

-- Everything, most urgent first: by urgency, then deadline, then target.
CREATE FUNCTION todo() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT t.*
      FROM (SELECT * FROM dossier.todo_approvals()
            UNION ALL SELECT * FROM dossier.todo_drafts()
            UNION ALL SELECT * FROM dossier.todo_borrowed()
            UNION ALL SELECT * FROM dossier.todo_archive()
            UNION ALL SELECT * FROM dossier.todo_customers()
            UNION ALL SELECT * FROM dossier.todo_grants()
            UNION ALL SELECT * FROM dossier.todo_stuck_requests()) t
     ORDER BY array_position(ARRAY['overdue', 'today', 'waiting', 'soon'], t.urgency), t.due NULLS LAST, t.what, t.target
     LIMIT 1000
$$;

REVOKE ALL ON FUNCTION todo_urgency(timestamptz), todo_approvals(), todo_drafts(), todo_borrowed(), todo_archive(),
    todo_customers(), todo_grants(), todo_stuck_requests(), todo() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo_urgency(timestamptz), todo_approvals(), todo_drafts(), todo_borrowed(), todo_archive(),
    todo_customers(), todo_grants(), todo_stuck_requests(), todo() TO dossier_app;
GRANT USAGE ON TYPE todo_item TO dossier_app;
