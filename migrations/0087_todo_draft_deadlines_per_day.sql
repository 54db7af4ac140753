-- TODO's drafts (0031): the LATE_FILING deadline computed once per creation
-- day rather than once per draft (issue 17). add_working_days reads the
-- calendar under its policies, ~85 µs a call, and a rep's drafts of one day
-- share their deadline (it depends on the day and the owner's line only).
-- Same rows as before.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION todo_drafts() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    WITH mine AS MATERIALIZED (
        SELECT d.id, d.created_at::date AS day, u.line
          FROM dossier.dossiers d
          JOIN dossier.users u ON u.id = d.owner_id
         WHERE d.owner_id = (SELECT dossier.actor_user_id()) AND d.status = 'draft'
           AND NOT EXISTS (SELECT 1 FROM dossier.approvals ap WHERE ap.dossier_id = d.id AND ap.kind = 'file')
    ), deadlines AS MATERIALIZED (
        SELECT x.day, x.line, dossier.add_working_days(x.day, dossier.filing_working_days(x.line)) AS deadline
          FROM (SELECT DISTINCT m.day, m.line FROM mine m) x
    )
    SELECT dossier.todo_urgency(x.due), x.due, 'draft', 'D' || m.id,
           coalesce(c.title, '') || ': submit by the end of ' || to_char(w.deadline, 'YYYY-MM-DD') || ' (LATE_FILING)',
           'DOSSIER SUBMIT D' || m.id
      FROM mine m
      JOIN deadlines w ON w.day = m.day AND w.line IS NOT DISTINCT FROM m.line
      LEFT JOIN dossier.dossier_contents c ON c.dossier_id = m.id
     CROSS JOIN LATERAL (SELECT (w.deadline + 1)::timestamptz AS due) x
$$;
