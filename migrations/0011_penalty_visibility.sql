-- Penalties are recorded by managers, archivists and auditors (RULES.md): the
-- department's archivist sees its penalties too, and whoever recorded a
-- penalty sees it (an archivist charging a borrower of another department at
-- a loan's return reads back what they wrote).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- penalties
DROP POLICY penalties_read ON penalties;
CREATE POLICY penalties_read ON penalties FOR SELECT USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN ((SELECT dossier.actor_role()) = 'bi' AND ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id())))
        WHEN (SELECT dossier.actor_role()) IN ('auditor') THEN true
        WHEN recorded_by = (SELECT dossier.actor_user_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IN ('manager', 'archivist') AND dept_id = (SELECT dossier.actor_dept_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IS NOT NULL THEN user_id = (SELECT dossier.actor_user_id())
        ELSE false
    END
);
DROP POLICY penalties_update ON penalties;
CREATE POLICY penalties_update ON penalties FOR UPDATE USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN ((SELECT dossier.actor_role()) = 'bi' AND ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id())))
        WHEN (SELECT dossier.actor_role()) IN ('auditor') THEN true
        WHEN recorded_by = (SELECT dossier.actor_user_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IN ('manager', 'archivist') AND dept_id = (SELECT dossier.actor_dept_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IS NOT NULL THEN user_id = (SELECT dossier.actor_user_id())
        ELSE false
    END
) WITH CHECK ((SELECT dossier.actor_is_user()));

