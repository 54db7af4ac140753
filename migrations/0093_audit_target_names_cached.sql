-- AUDIT LIST ref=: the names of a dossier looked up with plans kept for the
-- session (issue 17). As an SQL function that is SECURITY DEFINER (never
-- inlined), audit_target_names (0013) planned its four lookups at every
-- call: ~0.8 ms of a ~1.5 ms listing. Same answer: the reference itself, then
-- the dossier's id and number, its approvals and its loans.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION audit_target_names(p_ref text) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    v_id bigint := CASE WHEN p_ref ~ '^D[1-9][0-9]{0,17}$' THEN substr(p_ref, 2)::bigint END;
    v_names text[];
BEGIN
    SELECT coalesce(array_agg(n), '{}') INTO v_names FROM (
               SELECT 'D' || d.id FROM dossier.dossiers d WHERE d.id = v_id OR d.number = p_ref
        UNION  SELECT d.number FROM dossier.dossiers d WHERE (d.id = v_id OR d.number = p_ref) AND d.number IS NOT NULL
        UNION  SELECT 'A' || a.id FROM dossier.approvals a
                WHERE a.dossier_id IN (SELECT d.id FROM dossier.dossiers d WHERE d.id = v_id OR d.number = p_ref)
        UNION  SELECT 'L' || l.id FROM dossier.loans l
                WHERE l.dossier_id IN (SELECT d.id FROM dossier.dossiers d WHERE d.id = v_id OR d.number = p_ref)) names (n);
    RETURN array[p_ref] || v_names;
END $$;
