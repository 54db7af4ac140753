-- `AUDIT LIST ref=<dossier>` with the dossier's penalties. The rows of a
-- penalty about a dossier (a page lost on a loan, a signature missing, a
-- manual record with ref=) are about that dossier (their about_dossier, 0020),
-- but audit_target_names (0093) named only the dossier, its approvals and its
-- loans, so an auditor reading a dossier's story saw the incomplete return
-- and not the penalty it cost, nor its waiver. It now also names the
-- dossier's penalties `P<n>`: their charge or record and their waiver
-- (`penalty.waive`, whose detail names the approval). The waiver request's own
-- rows (`A<n>` of kind waive) name no dossier (about_dossier is NULL), so
-- they stay out: listed under a dossier they would tie it to a row the
-- dossier's hidden-subject rule does not cover. The rows found are still read
-- through the audit log's policy. The new look-up goes by an index (partial:
-- most penalties are about no dossier).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE INDEX penalties_dossier_idx ON penalties (dossier_id) WHERE dossier_id IS NOT NULL;

CREATE OR REPLACE FUNCTION audit_target_names(p_ref text) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    v_id bigint := CASE WHEN p_ref ~ '^D[1-9][0-9]{0,17}$' THEN substr(p_ref, 2)::bigint END;
    v_dossier bigint;
    v_number text;
    v_names text[];
BEGIN
    SELECT d.id, d.number INTO v_dossier, v_number
      FROM dossier.dossiers d WHERE d.id = v_id OR d.number = p_ref;
    IF v_dossier IS NULL THEN
        RETURN array[p_ref];
    END IF;
    SELECT coalesce(array_agg(n), '{}') INTO v_names FROM (
               SELECT 'D' || v_dossier
        UNION  SELECT v_number WHERE v_number IS NOT NULL
        UNION  SELECT 'A' || a.id FROM dossier.approvals a WHERE a.dossier_id = v_dossier
        UNION  SELECT 'L' || l.id FROM dossier.loans l WHERE l.dossier_id = v_dossier
        UNION  SELECT 'P' || p.id FROM dossier.penalties p WHERE p.dossier_id = v_dossier) names (n);
    RETURN array[p_ref] || v_names;
END $$;
