-- Issue 15, part 1: follow-up visits (回访, seed 001 篇二 《顾客档案表》的回访原则).
--
-- Schedule templates are rows an administrator edits (FOLLOWUP TEMPLATE), not
-- code: a buying customer is visited within 3, 30 and 60 days of the customer
-- file (a variant: 15/30/60), one who did not buy within 3 and 15 days.
-- FOLLOWUP PLAN turns a template into visit rows for one customer; FOLLOWUP
-- ADD plans one by hand; FOLLOWUP RECORD records the visit made. Visits are
-- content of the customer: who sees its details sees its visits (policies.sql).
-- Overdue visits are in TODO, for the assignee and the department's manager;
-- LATE_FOLLOWUP ships switched off (PENALTY AUTO LATE_FOLLOWUP yes).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE followup_templates (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
    summary     text NOT NULL CHECK (length(summary) <= 200),
    -- Days after the plan day, strictly increasing (checked by FOLLOWUP TEMPLATE
    -- and the trigger below).
    offsets     int[] NOT NULL CHECK (cardinality(offsets) BETWEEN 1 AND 20 AND 1 <= ALL (offsets) AND 3660 >= ALL (offsets)),
    -- `day`: calendar days, a due day that is not a working day moving to the
    -- next working day; `workday`: working days (migration 0010).
    unit        text NOT NULL DEFAULT 'day' CHECK (unit IN ('day', 'workday')),
    updated_by  bigint REFERENCES users (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO followup_templates (name, summary, offsets, unit) VALUES
    ('bought',     '购买顾客：3 日内、30 日内、60 日内回访',        '{3,30,60}', 'day'),
    ('bought_15',  '购买顾客（另一方案）：15 日、30 日、60 日内回访', '{15,30,60}', 'day'),
    ('not_bought', '未购买顾客：3 日内、15 日内回访',                '{3,15}', 'day');

CREATE TABLE followups (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- V<id>
    customer_id   bigint NOT NULL REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    assignee_id   bigint NOT NULL REFERENCES users (id),
    planned_by    bigint NOT NULL REFERENCES users (id),
    -- The template and step a planned visit came from; NULL for FOLLOWUP ADD.
    template      text REFERENCES followup_templates (name),
    step_no       int CHECK (step_no >= 1),
    -- The visit is due by the end of this day (the company's).
    due_on        date NOT NULL,
    note          text CHECK (length(note) <= 2000),
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    method        text CHECK (method IN ('phone', 'visit', 'other')),
    outcome       text CHECK (length(outcome) <= 4000),
    satisfaction  int CHECK (satisfaction BETWEEN 1 AND 5),
    objection     text CHECK (length(objection) <= 4000),
    visited_on    date,
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'done') = (recorded_at IS NOT NULL AND visited_on IS NOT NULL AND method IS NOT NULL
                                AND outcome IS NOT NULL AND recorded_by IS NOT NULL)),
    CHECK ((template IS NULL) = (step_no IS NULL))
);
CREATE INDEX followups_customer_idx ON followups (customer_id, due_on);
CREATE INDEX followups_assignee_open_idx ON followups (assignee_id, due_on) WHERE status = 'open';
CREATE INDEX followups_dept_due_idx ON followups (dept_id, due_on);

-- The due day of one offset of a template (FollowUpSchedule in DossierDomain
-- says the same; the tests check that both agree). SECURITY DEFINER like the
-- working-day functions of 0010: the calendar is the same for every caller.
CREATE FUNCTION dossier.followup_due(p_from date, p_offset int, p_unit text) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_unit
        WHEN 'workday' THEN dossier.add_working_days(p_from, p_offset)
        WHEN 'day' THEN (
            SELECT p_from + p_offset + i
              FROM pg_catalog.generate_series(0, 400) AS i
              LEFT JOIN dossier.calendar_days c ON c.day = p_from + p_offset + i
             WHERE coalesce(c.kind = 'workday', extract(isodow FROM p_from + p_offset + i) < 6)
             ORDER BY i LIMIT 1)
    END
$$;

-- The visits of a template for one customer, planned from p_from (FOLLOWUP
-- PLAN): one row per offset, returning the new ids and due days.
CREATE FUNCTION dossier.followup_plan(p_customer bigint, p_dept bigint, p_assignee bigint, p_template text, p_from date)
RETURNS TABLE (id bigint, step_no int, due_on date)
LANGUAGE sql VOLATILE AS $$
    INSERT INTO dossier.followups (customer_id, dept_id, assignee_id, planned_by, template, step_no, due_on)
    SELECT p_customer, p_dept, p_assignee, dossier.actor_user_id(), t.name, s.n::int,
           dossier.followup_due(p_from, s.offset_days, t.unit)
      FROM dossier.followup_templates t
     CROSS JOIN LATERAL unnest(t.offsets) WITH ORDINALITY AS s(offset_days, n)
     WHERE t.name = p_template
     ORDER BY s.n
    RETURNING followups.id, followups.step_no, followups.due_on
$$;

-- A visit as the protocol writes its state on the company's today.
CREATE FUNCTION dossier.followup_state(p_status text, p_due date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_status = 'done' THEN 'done' WHEN p_due < current_date THEN 'overdue' ELSE 'due' END
$$;

-- The rule, switched off: an administrator enables it with PENALTY AUTO.
-- Occurrence 1 is dated the due day, once it has ended unrecorded; one more
-- each working day it stays unrecorded (ViolationSweep).
INSERT INTO penalty_rules (code, summary, amount_fen, min_fen, max_fen, per, auto) VALUES
    ('LATE_FOLLOWUP', 'follow-up visit not recorded by its due day', 2000, 2000, 2000, 'occurrence', false);

-------------------------------------------------------------------------------
-- TODO: follow-up visits
-------------------------------------------------------------------------------
-- The caller's open visits due within three days or overdue; for a manager,
-- also the overdue visits of the department's other people (the supervisor
-- checks the reps' visits daily, seed 001 篇二.8).
CREATE FUNCTION todo_followups() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT dossier.todo_urgency((f.due_on + 1)::timestamptz), (f.due_on + 1)::timestamptz, 'followup', 'V' || f.id,
           c.number || ' ' || c.name || ': visit by the end of ' || to_char(f.due_on, 'YYYY-MM-DD')
               || coalesce(' (' || f.note || ')', ''),
           'FOLLOWUP RECORD V' || f.id
      FROM dossier.followups f JOIN dossier.customers c ON c.id = f.customer_id
     WHERE f.assignee_id = (SELECT dossier.actor_user_id()) AND f.status = 'open' AND f.due_on <= current_date + 3
    UNION ALL
    SELECT 'overdue', (f.due_on + 1)::timestamptz, 'followup', 'V' || f.id,
           c.number || ' ' || c.name || ': ' || u.login || ' has not recorded the visit due ' || to_char(f.due_on, 'YYYY-MM-DD'),
           'FOLLOWUP LIST assignee=' || u.login || ' status=overdue'
      FROM dossier.followups f
      JOIN dossier.customers c ON c.id = f.customer_id
      JOIN dossier.users u ON u.id = f.assignee_id
     WHERE (SELECT dossier.actor_role()) = 'manager' AND f.dept_id = (SELECT dossier.actor_dept_id())
       AND f.assignee_id <> (SELECT dossier.actor_user_id()) AND f.status = 'open' AND f.due_on < current_date
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
            UNION ALL SELECT * FROM dossier.todo_followups()) t
     ORDER BY array_position(ARRAY['overdue', 'today', 'waiting', 'soon'], t.urgency), t.due NULLS LAST, t.what, t.target
     LIMIT 1000
$$;

REVOKE ALL ON FUNCTION dossier.followup_due(date, int, text), dossier.followup_plan(bigint, bigint, bigint, text, date),
    dossier.followup_state(text, date), todo_followups() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.followup_due(date, int, text), dossier.followup_state(text, date) TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION dossier.followup_plan(bigint, bigint, bigint, text, date), todo_followups() TO dossier_app;
GRANT SELECT, INSERT, UPDATE ON followup_templates TO dossier_app;
GRANT SELECT ON followup_templates TO dossier_bi;
GRANT SELECT, INSERT, UPDATE ON followups TO dossier_app;
GRANT SELECT ON followups TO dossier_bi;
