-- Issue 15, part 2: periodic inspection of the paper archive (盘点; seed 000
-- 第十条 定期对档案资料进行检查，发现损坏、缺失等情况应及时修复或补充; seed 002
-- 定期检查档案的保存状况).
--
-- The department's archivist opens an inspection (of the whole department, or
-- of the locations starting with a prefix), records each dossier found —
-- present, missing or damaged, and where it was when not where the register
-- says (the register is corrected, with history) — and closes it. The report
-- lists dossiers not checked, missing, damaged and moved; dossiers on loan are
-- expected to be absent. Missing and damaged ones wait in the manager's TODO
-- for the loss/damage path (LOST_OR_DAMAGED against whoever last held it).
-- Policies in policies.sql.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE inspections (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- I<id>
    dept_id          bigint NOT NULL REFERENCES departments (id),
    -- Only dossiers whose register location starts with this (NULL: all).
    location_prefix  text CHECK (length(location_prefix) BETWEEN 1 AND 200),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_by        bigint NOT NULL REFERENCES users (id),
    opened_at        timestamptz NOT NULL DEFAULT now(),
    closed_by        bigint REFERENCES users (id),
    closed_at        timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND closed_by IS NOT NULL))
);
-- One open inspection per department: CHECK needs no id.
CREATE UNIQUE INDEX inspections_one_open ON inspections (dept_id) WHERE status = 'open';
CREATE INDEX inspections_dept_idx ON inspections (dept_id, opened_at);

CREATE TABLE inspection_checks (
    inspection_id      bigint NOT NULL REFERENCES inspections (id),
    dossier_id         bigint NOT NULL REFERENCES dossiers (id),
    dept_id            bigint NOT NULL REFERENCES departments (id),
    result             text NOT NULL CHECK (result IN ('present', 'missing', 'damaged')),
    -- Where the register said the dossier was when it was first checked in
    -- this inspection, and where it was found (NULL: where the register says).
    register_location  text,
    found_location     text CHECK (length(found_location) BETWEEN 1 AND 200),
    note               text CHECK (length(note) <= 2000),
    checked_by         bigint NOT NULL REFERENCES users (id),
    checked_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (inspection_id, dossier_id)
);
CREATE INDEX inspection_checks_dossier_idx ON inspection_checks (dossier_id, checked_at);

-- The dossiers an inspection expects: filed or on loan, of its department,
-- at a register location starting with its prefix. With the caller's rights:
-- what the caller's content policy hides is not expected of them.
CREATE FUNCTION dossier.inspection_expected(p_inspection bigint)
RETURNS TABLE (dossier_id bigint, on_loan boolean, location text)
LANGUAGE sql STABLE AS $$
    SELECT d.id, d.status = 'on_loan', dc.location
      FROM dossier.inspections i
      JOIN dossier.dossiers d ON d.dept_id = i.dept_id AND d.status IN ('filed', 'on_loan')
      JOIN dossier.dossier_contents dc ON dc.dossier_id = d.id
     WHERE i.id = p_inspection
       AND (i.location_prefix IS NULL OR starts_with(coalesce(dc.location, ''), i.location_prefix))
$$;

-- Who last held a dossier: the borrower of its latest loan handed out, or NULL
-- (then the department answers for it).
CREATE FUNCTION dossier.inspection_last_holder(p_dossier bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT l.borrower_id FROM dossier.loans l
     WHERE l.dossier_id = p_dossier AND l.checked_out_at IS NOT NULL
     ORDER BY l.checked_out_at DESC LIMIT 1
$$;

-- The report of an inspection: one row per dossier expected or checked, with
-- its finding (InspectionFinding in DossierDomain says the same).
CREATE FUNCTION dossier.inspection_report(p_inspection bigint)
RETURNS TABLE (dossier_id bigint, finding text, register_location text, found_location text, note text,
               checked_by bigint, holder_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(c.dossier_id, e.dossier_id),
           CASE WHEN c.result IS NULL THEN CASE WHEN e.on_loan THEN 'on_loan' ELSE 'unchecked' END
                WHEN c.result <> 'present' THEN c.result
                WHEN c.found_location IS NOT NULL AND c.found_location <> coalesce(c.register_location, '') THEN 'moved'
                ELSE 'present' END,
           coalesce(c.register_location, e.location), c.found_location, c.note, c.checked_by,
           CASE WHEN c.result IN ('missing', 'damaged') THEN dossier.inspection_last_holder(coalesce(c.dossier_id, e.dossier_id)) END
      FROM dossier.inspection_expected(p_inspection) e
      FULL JOIN (SELECT * FROM dossier.inspection_checks WHERE inspection_id = p_inspection) c ON c.dossier_id = e.dossier_id
$$;

-- INSPECTION CHECK of a dossier found elsewhere: the register's location is
-- corrected, with a change-history row (reason: the inspection). SECURITY
-- DEFINER because the content's write policy leaves changes to approvals; the
-- checks here are that policy's for this one change: the department's
-- archivist, during the department's open inspection, of a filed dossier.
CREATE FUNCTION dossier.inspection_relocate(p_inspection bigint, p_dossier bigint, p_location text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_user bigint := nullif(current_setting('dossier.user_id', true), '')::bigint;
    v_dept bigint := nullif(current_setting('dossier.dept_id', true), '')::bigint;
    v_old text;
BEGIN
    IF coalesce(current_setting('dossier.role', true), '') <> 'archivist' OR v_user IS NULL
       OR NOT EXISTS (SELECT 1 FROM dossier.inspections i WHERE i.id = p_inspection AND i.status = 'open' AND i.dept_id = v_dept)
       OR NOT EXISTS (SELECT 1 FROM dossier.dossiers d
                       WHERE d.id = p_dossier AND d.dept_id = v_dept AND d.status IN ('filed', 'on_loan') AND d.level <> 'top_secret') THEN
        RAISE EXCEPTION 'dossier %: the location is corrected only by its department''s archivist in an open inspection', p_dossier
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT dc.location INTO v_old FROM dossier.dossier_contents dc WHERE dc.dossier_id = p_dossier FOR UPDATE;
    IF v_old IS DISTINCT FROM p_location THEN
        UPDATE dossier.dossier_contents SET location = p_location WHERE dossier_id = p_dossier;
        INSERT INTO dossier.change_history (dossier_id, dept_id, field, old_value, new_value, reason, requested_by)
        VALUES (p_dossier, v_dept, 'location', v_old, p_location, 'inspection I' || p_inspection, v_user);
    END IF;
    RETURN v_old;
END $$;

-------------------------------------------------------------------------------
-- TODO: losses found by inspections
-------------------------------------------------------------------------------
-- For the department's manager: each dossier a closed inspection found missing
-- or damaged, until a LOST_OR_DAMAGED penalty about it is recorded or a later
-- inspection finds it present.
CREATE FUNCTION todo_inspection_losses() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT 'waiting', i.closed_at, 'inspection', coalesce(d.number, 'D' || d.id),
           coalesce(d.number, 'D' || d.id) || ' ' || c.result || ' in I' || i.id
               || coalesce(', last held by ' || h.login, ', never lent: the department answers for it'),
           CASE WHEN h.login IS NOT NULL
                THEN 'PENALTY RECORD ' || h.login || ' rule=LOST_OR_DAMAGED ref=' || coalesce(d.number, 'D' || d.id)
                ELSE 'INSPECTION SHOW I' || i.id END
      FROM dossier.inspections i
      JOIN dossier.inspection_checks c ON c.inspection_id = i.id
      JOIN dossier.dossiers d ON d.id = c.dossier_id
      LEFT JOIN dossier.users h ON h.id = dossier.inspection_last_holder(d.id)
     WHERE (SELECT dossier.actor_role()) = 'manager' AND i.dept_id = (SELECT dossier.actor_dept_id())
       AND i.status = 'closed' AND c.result IN ('missing', 'damaged')
       AND NOT EXISTS (SELECT 1 FROM dossier.penalties p
                        WHERE p.dossier_id = d.id AND p.rule_code = 'LOST_OR_DAMAGED' AND p.created_at > c.checked_at)
       AND NOT EXISTS (SELECT 1 FROM dossier.inspection_checks later
                        WHERE later.dossier_id = d.id AND later.result = 'present' AND later.checked_at > c.checked_at)
$$;

CREATE OR REPLACE FUNCTION todo() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT t.*
      FROM (SELECT * FROM dossier.todo_approvals()
            UNION ALL SELECT * FROM dossier.todo_drafts()
            UNION ALL SELECT * FROM dossier.todo_borrowed()
            UNION ALL SELECT * FROM dossier.todo_archive()
            UNION ALL SELECT * FROM dossier.todo_customers()
            UNION ALL SELECT * FROM dossier.todo_grants()
            UNION ALL SELECT * FROM dossier.todo_stuck_requests()
            UNION ALL SELECT * FROM dossier.todo_followups()
            UNION ALL SELECT * FROM dossier.todo_inspection_losses()) t
     ORDER BY array_position(ARRAY['overdue', 'today', 'waiting', 'soon'], t.urgency), t.due NULLS LAST, t.what, t.target
     LIMIT 1000
$$;

REVOKE ALL ON FUNCTION dossier.inspection_expected(bigint), dossier.inspection_last_holder(bigint),
    dossier.inspection_report(bigint), dossier.inspection_relocate(bigint, bigint, text), todo_inspection_losses() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.inspection_expected(bigint), dossier.inspection_last_holder(bigint),
    dossier.inspection_report(bigint) TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION dossier.inspection_relocate(bigint, bigint, text), todo_inspection_losses() TO dossier_app;
GRANT SELECT, INSERT, UPDATE ON inspections, inspection_checks TO dossier_app;
GRANT SELECT ON inspections, inspection_checks TO dossier_bi;
