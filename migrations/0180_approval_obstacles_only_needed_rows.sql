-- approval_obstacles (0095, settings of 0120 and 0140) reads a request's loan
-- only for an `extend` and its retention row only for a `destroy`, but wrote
-- both as LEFT JOINs with the kind in the join condition: a condition on the
-- request alone cannot go into the inner index scan, so every request of a
-- page probed loans and dossier_retention and threw the row away (EXPLAIN
-- ANALYZE: "Rows Removed by Join Filter: 51" on each, for a page of 51 loan
-- requests). As LATERAL subqueries kept apart (OFFSET 0), the kind becomes a
-- one-time filter over each probe, which runs only for its kind. Same rows,
-- same reasons.
-- Measured (issue 17, deploy/bench/instructions.sh's method: callgrind on a
-- single-user backend, (3N - N) / 2N, SCALE=0.01 company, 51 pending loan
-- requests): approval_obstacles of the 51 ids 2.79M -> 1.98M instructions;
-- APPROVAL LIST's page calls it once, APPROVE up to three times for one id.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION approval_obstacles(p_ids bigint[])
RETURNS TABLE (approval_id bigint, reason text, permanent boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = dossier, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
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
                  LEFT JOIN LATERAL (SELECT x.id, x.status FROM loans x
                                      WHERE x.id = a.loan_id AND a.kind = 'extend' OFFSET 0) l ON true
                  LEFT JOIN dossiers d ON d.id = a.dossier_id
                  LEFT JOIN LATERAL (SELECT x.retain_until FROM dossier_retention x
                                      WHERE x.dossier_id = d.id AND a.kind = 'destroy' OFFSET 0) ret ON true
                 CROSS JOIN LATERAL (SELECT coalesce(d.number, 'D' || d.id) AS ref) r
                 WHERE a.id = ANY (p_ids)) s;
END $$;
