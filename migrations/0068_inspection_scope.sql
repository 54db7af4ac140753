-- Issue 15, inspections and top_secret dossiers. RULES.md: a top_secret
-- dossier's register entry is visible only to its owner and directors; the
-- archivist, who inspects, sees neither its entry nor its shelf. So an
-- inspection covers the dossiers its archivist may see, for every reader of
-- the report: top_secret ones are not expected (0061 left that to the
-- caller's rights, so a director reading INSPECTION SHOW was told that a
-- top_secret dossier nobody could check was `unchecked`), and the archivist
-- learns nothing of them (not even a count). Their keeping is the owner's and
-- the directors' (never lent, RULES.md).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION dossier.inspection_expected(p_inspection bigint)
RETURNS TABLE (dossier_id bigint, on_loan boolean, location text)
LANGUAGE sql STABLE AS $$
    SELECT d.id, d.status = 'on_loan', dc.location
      FROM dossier.inspections i
      JOIN dossier.dossiers d ON d.dept_id = i.dept_id AND d.status IN ('filed', 'on_loan') AND d.level <> 'top_secret'
      JOIN dossier.dossier_contents dc ON dc.dossier_id = d.id
     WHERE i.id = p_inspection
       AND (i.location_prefix IS NULL OR starts_with(coalesce(dc.location, ''), i.location_prefix))
$$;
