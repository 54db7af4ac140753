-- APPROVAL LIST and APPROVAL SHOW as one function whose plans are made once
-- per session (issue 17).
--
-- The listing statement (kept in ApprovalListing.swift until now) joins
-- approvals, users, approval_steps, departments, dossiers and customers under
-- their policies: planning it took ~40-290 ms (loaded 2-core machine), and as
-- a prepared statement it was planned afresh at each of its first five
-- executions on every pooled connection, which set the verb's p99. Here each
-- statement's plan is generic from the first call. The page is chosen first
-- (its ids only, walking the pending requests in id order), then its rows
-- are read by id with what stands in their way and their details
-- (approval_details_of, once per page). Same conditions, same rows, same
-- rights (the caller's).
--
-- p_mode: 'pending' (what waits for p_user as p_role of p_dept), 'mine'
-- (p_user's requests), 'all', or 'one' (APPROVAL SHOW of the request p_after).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION dossier.approval_listing(p_mode text, p_kind text, p_after bigint, p_limit int,
                                         p_user bigint, p_role text, p_dept bigint)
RETURNS TABLE (id bigint, kind text, status text, current_step int, step_count int, customer_id bigint, target text,
               requester text, waiting_for text, created text, reason text, obstacle text, details text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_ids bigint[];
BEGIN
    IF p_mode = 'pending' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
              JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after AND a.status = 'pending'
               AND a.requester_id <> p_user AND s.approver_role = p_role
               AND (s.approver_dept_id IS NULL OR s.approver_dept_id = p_dept)
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'mine' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after AND a.requester_id = p_user
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'all' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'one' THEN
        v_ids := ARRAY[p_after];
    ELSE
        RAISE EXCEPTION 'unknown approval listing %', p_mode;
    END IF;
    RETURN QUERY
        WITH page AS MATERIALIZED (
            SELECT a.id, a.kind, a.status, a.current_step, a.step_count, a.customer_id,
                   CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
                        WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
                        WHEN a.kind = 'customer_edit' THEN c.number
                        ELSE coalesce(d.number, 'D' || a.dossier_id) END AS target,
                   u.login AS requester,
                   CASE WHEN a.status = 'pending' THEN s.approver_role || coalesce(':' || sd.code, '') ELSE '' END AS waiting_for,
                   dossier.wire_time(a.created_at) AS created,
                   coalesce(a.reason, '') AS reason,
                   coalesce(a.closed_reason, (dossier.approval_obstacle(a.id)).reason, '') AS obstacle
              FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
              LEFT JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
              LEFT JOIN dossier.departments sd ON sd.id = s.approver_dept_id
              LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
              LEFT JOIN dossier.customers c ON c.id = a.customer_id
             WHERE a.id = ANY (v_ids)),
             details AS (
                 SELECT x.approval_id,
                        string_agg(x.field || ': ' || CASE WHEN x.old <> '' THEN x.old || ' → ' ELSE '' END || x.new,
                                   '; ' ORDER BY x.ord, x.field) AS details
                   FROM dossier.approval_details_of(ARRAY(SELECT p.id FROM page p)) x
                  GROUP BY x.approval_id)
        SELECT page.id, page.kind, page.status, page.current_step, page.step_count, page.customer_id, page.target,
               page.requester, page.waiting_for, page.created, page.reason, page.obstacle, coalesce(details.details, '')
          FROM page LEFT JOIN details ON details.approval_id = page.id
         ORDER BY page.id;
END $$;

REVOKE ALL ON FUNCTION dossier.approval_listing(text, text, bigint, int, bigint, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_listing(text, text, bigint, int, bigint, text, bigint) TO dossier_app;
