-- RETENTION DUE as one named function instead of SQL text assembled in Swift.
--
-- SECURITY INVOKER and without SET clauses, so PostgreSQL inlines it into the
-- caller's query: row-level security applies as the caller (the daemon's
-- role with the actor's settings) and the plan is the one the statement had
-- when it was written out in RetentionRules.swift (names are qualified
-- instead of relying on a search_path).
--
-- No index may cover `retain_until` (see 0012), so the walk goes through what
-- the date is computed from: per category, its filed dossiers by filing day
-- (or its closed customers by closing day), the order of their dates. The
-- bound on the filing/closing day is two days loose for 29 February; the date
-- itself decides. Content visibility is asked per row reached through the
-- policy's own function: an EXISTS on dossier_contents is planned as a hashed
-- subplan whose policy hashes every dossier first (seconds at millions).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION dossier.retention_due(p_before date, p_limit int)
RETURNS TABLE (dossier_id bigint, number text, category text, dept text, retain_until date)
LANGUAGE sql STABLE AS $$
    WITH bound AS (SELECT coalesce(p_before, current_date) AS day),
    due AS (
        SELECT x.* FROM dossier.retention_rules rr CROSS JOIN LATERAL (
            SELECT r.dossier_id, r.retain_until
              FROM dossier.dossier_retention r JOIN dossier.dossiers d ON d.id = r.dossier_id
             WHERE rr.trigger = 'filed' AND r.category = rr.category
               AND r.filed_on < (((SELECT day FROM bound) - make_interval(years => rr.years))::date + 2)
               AND d.status IN ('filed', 'on_loan') AND r.retain_until < (SELECT day FROM bound)
               AND dossier.sees_dossier_content(d.id, d.dept_id, d.level, d.status, d.owner_id)
               AND NOT EXISTS (SELECT 1 FROM dossier.legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL)
             ORDER BY r.filed_on, r.dossier_id LIMIT p_limit) x
        UNION ALL
        SELECT x.* FROM dossier.retention_rules rr CROSS JOIN LATERAL (
            SELECT r.dossier_id, r.retain_until
              FROM dossier.customers cu
              JOIN dossier.dossier_retention r ON r.customer_id = cu.id
              JOIN dossier.dossiers d ON d.id = r.dossier_id
             WHERE rr.trigger = 'closed' AND r.category = rr.category
               AND cu.closed_on < (((SELECT day FROM bound) - make_interval(years => rr.years))::date + 2)
               AND d.status IN ('filed', 'on_loan') AND r.retain_until < (SELECT day FROM bound)
               AND dossier.sees_dossier_content(d.id, d.dept_id, d.level, d.status, d.owner_id)
               AND NOT EXISTS (SELECT 1 FROM dossier.legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL)
             ORDER BY cu.closed_on, r.dossier_id LIMIT p_limit) x
    )
    SELECT d.id, d.number, d.category, dp.code, due.retain_until
      FROM due JOIN dossier.dossiers d ON d.id = due.dossier_id JOIN dossier.departments dp ON dp.id = d.dept_id
     ORDER BY due.retain_until, d.id
     LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION dossier.retention_due(date, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.retention_due(date, int) TO dossier_app;
