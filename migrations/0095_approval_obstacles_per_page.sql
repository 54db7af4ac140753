-- What stands in the way of a page of requests, in one statement (issue 17).
--
-- approval_obstacle (0030) answers for one request with four lookups; the
-- listings called it once per row (APPROVAL LIST: a page of 50, TODO: every
-- decision and every own pending request), ~50 µs a call. approval_obstacles
-- answers for an array of ids with one statement planned once per session,
-- and approval_obstacle is now that statement for one id, so the rule is
-- written once. Same reasons, same `permanent`, same order of the checks: a
-- requester who left, an extension whose loan is not out, then (for a request
-- about a dossier) a dossier deleted, purged or destroyed, a legal hold on a
-- deletion or destruction, then what stands in the way for now. Requests not
-- pending (or not found) have no obstacle.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION approval_obstacles(p_ids bigint[])
RETURNS TABLE (approval_id bigint, reason text, permanent boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
#variable_conflict use_column
BEGIN
    -- `stop`: 'P:' (for good) or 'T:' (for now) and the reason.
    RETURN QUERY
        SELECT s.id, substr(s.stop, 3), coalesce(left(s.stop, 2) = 'P:', false)
          FROM (SELECT a.id,
                       CASE WHEN a.status <> 'pending' THEN NULL
                            WHEN NOT who.active THEN 'P:' || who.login || ' has left'
                            WHEN a.kind = 'extend' AND l.status <> 'out'
                                 THEN 'P:L' || l.id || ' is ' || CASE l.status WHEN 'requested' THEN 'pending' ELSE l.status END
                            WHEN a.dossier_id IS NULL THEN NULL
                            WHEN d.status IN ('deleted', 'purged', 'destroyed') THEN 'P:' || r.ref || ' is ' || d.status
                            WHEN a.kind IN ('delete', 'destroy')
                                 AND EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL)
                                 THEN 'P:' || r.ref || ' is on legal hold'
                            WHEN a.kind = 'delete' AND d.status NOT IN ('draft', 'filed') THEN 'T:' || r.ref || ' is ' || d.status
                            WHEN a.kind = 'destroy' AND d.status <> 'filed' THEN 'T:' || r.ref || ' is ' || d.status
                            WHEN a.kind = 'destroy' AND (ret.retain_until IS NULL OR ret.retain_until >= current_date)
                                 THEN 'T:' || r.ref || ' is kept until '
                                      || coalesce(to_char(ret.retain_until, 'YYYY-MM-DD'), 'its customer closes')
                            WHEN a.kind IN ('edit', 'access', 'loan') AND d.status NOT IN ('filed', 'on_loan')
                                 THEN 'T:' || r.ref || ' is ' || d.status
                       END AS stop
                  FROM approvals a
                  LEFT JOIN users who ON who.id = a.requester_id
                  LEFT JOIN loans l ON l.id = a.loan_id AND a.kind = 'extend'
                  LEFT JOIN dossiers d ON d.id = a.dossier_id
                  LEFT JOIN dossier_retention ret ON ret.dossier_id = d.id AND a.kind = 'destroy'
                 CROSS JOIN LATERAL (SELECT coalesce(d.number, 'D' || d.id) AS ref) r
                 WHERE a.id = ANY (p_ids)) s;
END $$;

CREATE OR REPLACE FUNCTION approval_obstacle(p_approval bigint, OUT reason text, OUT permanent boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    SELECT o.reason, o.permanent INTO reason, permanent FROM approval_obstacles(ARRAY[p_approval]) o;
    permanent := coalesce(permanent, false);
END $$;

-- APPROVAL LIST and SHOW (0094): one call per page.
CREATE OR REPLACE FUNCTION dossier.approval_listing(p_mode text, p_kind text, p_after bigint, p_limit int,
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
                   coalesce(a.closed_reason, o.reason, '') AS obstacle
              FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
              LEFT JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
              LEFT JOIN dossier.departments sd ON sd.id = s.approver_dept_id
              LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
              LEFT JOIN dossier.customers c ON c.id = a.customer_id
              LEFT JOIN dossier.approval_obstacles(v_ids) o ON o.approval_id = a.id
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

-- TODO's decisions and own stuck requests: one call per section.
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
      LEFT JOIN dossier.approval_obstacles(ARRAY(SELECT m.id FROM mine m)) o ON o.approval_id = a.id
$$;

CREATE OR REPLACE FUNCTION todo_stuck_requests() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    WITH mine AS MATERIALIZED (
        SELECT a.id, a.kind, a.created_at FROM dossier.approvals a
         WHERE a.requester_id = (SELECT dossier.actor_user_id()) AND a.status = 'pending'
    )
    SELECT 'soon', a.created_at, 'request', 'A' || a.id, a.kind || ': cannot be done now: ' || o.reason,
           'WITHDRAW A' || a.id
      FROM mine a JOIN dossier.approval_obstacles(ARRAY(SELECT m.id FROM mine m)) o ON o.approval_id = a.id
     WHERE o.reason IS NOT NULL
$$;

REVOKE ALL ON FUNCTION approval_obstacles(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION approval_obstacles(bigint[]) TO dossier_app;
