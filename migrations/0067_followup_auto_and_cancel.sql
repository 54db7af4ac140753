-- Issue 15, follow-up visits, the gaps of 0060:
--  * templates applied automatically by customer kind/grade as the
--    administrator configures (FOLLOWUP AUTO): when a customer of that kind
--    and grade is created (CUSTOMER NEW, the import) or changes into it
--    (CUSTOMER SET, applied directly or by its approval), its owner's visits
--    are planned from that day, in the same transaction, on the working-day
--    calendar (followup_plan of 0060) — unless visits of that template are
--    open for the customer already;
--  * a visit cancelled with a reason (FOLLOWUP CANCEL) and a visit reassigned
--    by the manager (FOLLOWUP ASSIGN): who may is policies.sql's;
--  * the customer's visits in one line of CUSTOMER SHOW (customer_visits).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- `auto`: planned for every customer created with, or changing into, this
-- kind and grade (NULL: any).
ALTER TABLE followup_templates
    ADD COLUMN auto       boolean NOT NULL DEFAULT false,
    ADD COLUMN auto_kind  text CHECK (auto_kind IN ('company', 'person')),
    ADD COLUMN auto_grade text CHECK (auto_grade IN ('VIP', 'A', 'B', 'C')),
    ADD CONSTRAINT followup_templates_auto_check CHECK (auto OR (auto_kind IS NULL AND auto_grade IS NULL));

ALTER TABLE followups
    ADD COLUMN cancelled_by  bigint REFERENCES users (id),
    ADD COLUMN cancelled_at  timestamptz,
    ADD COLUMN cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 2000);
ALTER TABLE followups DROP CONSTRAINT followups_status_check;
ALTER TABLE followups
    ADD CONSTRAINT followups_status_check CHECK (status IN ('open', 'done', 'cancelled')),
    ADD CONSTRAINT followups_cancelled_check
        CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL AND cancel_reason IS NOT NULL));

-- A visit as the protocol writes its state on the company's today.
CREATE OR REPLACE FUNCTION dossier.followup_state(p_status text, p_due date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_status IN ('done', 'cancelled') THEN p_status WHEN p_due < current_date THEN 'overdue' ELSE 'due' END
$$;

-- The templates an administrator switched on for a customer of this kind and
-- grade; on a change (p_old_kind not NULL) only those the old kind and grade
-- did not match already; none with visits open for the customer. Each is
-- planned for the customer's owner from today (the company's), audited as
-- FOLLOWUP PLAN is. Called by the trigger below with the caller's rights:
-- the insert policy of followups decides as for FOLLOWUP PLAN (the owner for
-- themselves, the department's manager, a director). Other actors (the
-- system, an administrator's SQL) plan nothing.
CREATE FUNCTION dossier.followup_auto_plan(p_customer bigint, p_old_kind text, p_old_grade text, p_kind text, p_grade text)
RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_customer record;
    v_template text;
    v_visits   text;
    v_planned  int := 0;
BEGIN
    IF coalesce(dossier.actor_role(), '') NOT IN ('rep', 'manager', 'director') OR dossier.actor_user_id() IS NULL
       OR NOT EXISTS (SELECT 1 FROM dossier.followup_templates WHERE auto) THEN
        RETURN 0;
    END IF;
    SELECT c.id, c.number, c.dept_id, c.owner_id, u.login INTO v_customer
      FROM dossier.customers c JOIN dossier.users u ON u.id = c.owner_id
     WHERE c.id = p_customer AND c.closed_on IS NULL AND u.active AND u.dept_id = c.dept_id;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOR v_template IN
        SELECT t.name FROM dossier.followup_templates t
         WHERE t.auto
           AND coalesce(t.auto_kind = p_kind, true) AND coalesce(t.auto_grade = p_grade, t.auto_grade IS NULL)
           AND NOT (p_old_kind IS NOT NULL AND coalesce(t.auto_kind = p_old_kind, true)
                    AND coalesce(t.auto_grade = p_old_grade, t.auto_grade IS NULL))
           AND NOT EXISTS (SELECT 1 FROM dossier.followups f
                            WHERE f.customer_id = p_customer AND f.template = t.name AND f.status = 'open')
         ORDER BY t.name
    LOOP
        SELECT string_agg('V' || p.id, ',' ORDER BY p.step_no) INTO v_visits
          FROM dossier.followup_plan(v_customer.id, v_customer.dept_id, v_customer.owner_id, v_template, current_date) p;
        PERFORM dossier.audit('followup.plan', v_customer.number, '',
                              'template=' || v_template || ' assignee=' || v_customer.login || ' visits=' || v_visits || ' auto=yes');
        v_planned := v_planned + 1;
    END LOOP;
    RETURN v_planned;
END $$;

CREATE FUNCTION dossier.customer_details_auto_followups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dossier.followup_auto_plan(NEW.customer_id, NULL, NULL, NEW.kind, NEW.grade);
    ELSIF (OLD.kind, OLD.grade) IS DISTINCT FROM (NEW.kind, NEW.grade) THEN
        PERFORM dossier.followup_auto_plan(NEW.customer_id, OLD.kind, OLD.grade, NEW.kind, NEW.grade);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_details_auto_followups AFTER INSERT OR UPDATE OF kind, grade ON customer_details
    FOR EACH ROW EXECUTE FUNCTION dossier.customer_details_auto_followups();

-- CUSTOMER SHOW's summary of a customer's visits, with the caller's rights
-- (followups_read): recorded ones, the last recorded, the next open one,
-- overdue ones. No row when the customer has no visit the caller sees.
CREATE FUNCTION dossier.customer_visits(p_customer bigint)
RETURNS TABLE (done bigint, last_visit text, last_method text, last_satisfaction int, next_visit text, next_due text,
               next_assignee text, overdue bigint)
LANGUAGE sql STABLE AS $$
    SELECT count(*) FILTER (WHERE f.status = 'done'),
           to_char(max(f.visited_on), 'YYYY-MM-DD'),
           (SELECT l.method FROM dossier.followups l WHERE l.customer_id = p_customer AND l.status = 'done'
             ORDER BY l.visited_on DESC, l.recorded_at DESC LIMIT 1),
           (SELECT l.satisfaction FROM dossier.followups l WHERE l.customer_id = p_customer AND l.status = 'done'
             ORDER BY l.visited_on DESC, l.recorded_at DESC LIMIT 1),
           n.visit, n.due, n.assignee,
           count(*) FILTER (WHERE f.status = 'open' AND f.due_on < current_date)
      FROM dossier.followups f
      LEFT JOIN LATERAL (
          SELECT 'V' || o.id AS visit, to_char(o.due_on, 'YYYY-MM-DD') AS due, u.login AS assignee
            FROM dossier.followups o JOIN dossier.users u ON u.id = o.assignee_id
           WHERE o.customer_id = p_customer AND o.status = 'open'
           ORDER BY o.due_on, o.id LIMIT 1) n ON true
     WHERE f.customer_id = p_customer
     GROUP BY n.visit, n.due, n.assignee
$$;

-- Cancelled visits are neither planned work nor overdue in the weekly view.
CREATE OR REPLACE VIEW report.followups_weekly WITH (security_invoker = true) AS
SELECT department, assignee, due_week,
       count(*) FILTER (WHERE status <> 'cancelled') AS planned,
       count(*) FILTER (WHERE status = 'due') AS due,
       count(*) FILTER (WHERE status = 'overdue') AS overdue,
       count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE late) AS done_late,
       round(avg(satisfaction), 2) AS avg_satisfaction,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled
  FROM report.followups
 GROUP BY department, assignee, due_week;
COMMENT ON COLUMN report.followups.status IS '状态（due 待回访、overdue 逾期、done 已回访、cancelled 已取消） / status: due, overdue, done, cancelled';
COMMENT ON COLUMN report.followups_weekly.planned IS '计划回访数（不含已取消） / visits planned (not cancelled)';
COMMENT ON COLUMN report.followups_weekly.cancelled IS '已取消的回访数 / visits cancelled';

REVOKE ALL ON FUNCTION dossier.followup_auto_plan(bigint, text, text, text, text), dossier.customer_details_auto_followups(),
    dossier.customer_visits(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.followup_auto_plan(bigint, text, text, text, text), dossier.customer_details_auto_followups(),
    dossier.customer_visits(bigint) TO dossier_app;
