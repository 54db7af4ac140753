-- APPROVAL LIST, APPROVE and the loan verbs with less work per statement
-- (issue 17, points 3 and 6). Same rows, same rights, same answers:
--   * approval_obstacles (0095) was planned afresh at every APPROVE: called
--     from approval_obstacle (one id), PostgreSQL's plan cache kept choosing
--     a custom plan for its array parameter, ~1 ms of planning per call (a
--     sixth of a whole loan cycle's backend time). Its plan is now made once
--     per session, as it already was when APPROVAL LIST and TODO call it.
--   * approval_details_subjects (0088) is inlined into each kind's query of
--     approval_details_of with the kind as a constant; its CASE now asks the
--     kind through that constant (the rows it returns have exactly that
--     kind), so the planner keeps one branch: a page of loans no longer
--     initialises the customer-details check (customers, dossier contents,
--     grants and loans under their policies) that only customer edits use.
--   * approval_listing passes the kinds of its page to approval_details_of,
--     which read them again from approvals (a statement under the approvals
--     policy) at every page; approval_details_of(ids) still reads them itself.
--   * approval_request, loan_checkout and loan_give_back (0110) write their
--     audit row by an assignment instead of PERFORM, which started an executor
--     each (as 0100 did for dossier_show).
-- The approvals policy itself (policies.sql) checks the dossier once instead
-- of twice and by its key: see the comment there.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

ALTER FUNCTION approval_obstacles(bigint[]) SET plan_cache_mode = force_generic_plan;

-- The requests of p_ids of kind p_kind the caller sees and whose details they
-- may read: their requester, or whoever may read what it is about (0088; the
-- kind is asked through p_kind, equal to ap.kind on every row returned).
CREATE OR REPLACE FUNCTION dossier.approval_details_subjects(p_ids bigint[], p_kind text)
RETURNS SETOF dossier.approvals
LANGUAGE sql STABLE AS $$
    SELECT ap.* FROM dossier.approvals ap
     WHERE ap.id = ANY (p_ids) AND ap.kind = p_kind
       AND coalesce(ap.requester_id = dossier.actor_user_id()
                    OR CASE WHEN p_kind = 'customer_edit'
                            THEN EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = ap.customer_id)
                            WHEN ap.dossier_id IS NOT NULL
                            THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = ap.dossier_id)
                            ELSE true END, false)
$$;

-- The details of the requests p_ids for the kinds p_kinds (the caller knows
-- them: approval_listing's page); a kind not named gives no rows. The queries
-- are those of 0088, unchanged. Without a SET clause of its own: both callers
-- below run with plan_cache_mode = force_generic_plan already.
CREATE FUNCTION dossier.approval_details_of(p_ids bigint[], p_kinds text[])
RETURNS TABLE (approval_id bigint, ord int, field text, old text, new text)
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
DECLARE
    k text;
BEGIN
    FOREACH k IN ARRAY p_kinds LOOP
        CASE k
        WHEN 'edit' THEN
            RETURN QUERY
        -- dossier edits
        SELECT a.id, 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'title' THEN c.title WHEN 'location' THEN c.location
                                        WHEN 'level' THEN d.level WHEN 'scope' THEN d.scope END END, ''),
               ch.value
          FROM dossier.approval_details_subjects(p_ids, 'edit') a
         CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
          LEFT JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key;
        WHEN 'customer_edit' THEN
            RETURN QUERY
        -- customer edits
        SELECT a.id, 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'name' THEN cu.name WHEN 'owner' THEN ow.login
                                        WHEN 'credit_limit' THEN dossier.wire_money(cd.credit_limit_fen)
                                        ELSE to_jsonb(cd) ->> ch.key END END, ''),
               ch.value
          FROM dossier.approval_details_subjects(p_ids, 'customer_edit') a
         CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.customers cu ON cu.id = a.customer_id
          LEFT JOIN dossier.users ow ON ow.id = cu.owner_id
          LEFT JOIN dossier.customer_details cd ON cd.customer_id = a.customer_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key;
        WHEN 'file' THEN
            RETURN QUERY
        -- what is filed
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'file') a
          JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
         CROSS JOIN LATERAL (VALUES
                (1, 'title', c.title),
                (2, 'items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id)::text),
                (3, 'unsigned_items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id
                                          AND NOT (i.signed_customer AND i.signed_internal))::text)) x(ord, field, new);
        WHEN 'delete' THEN
            RETURN QUERY
        -- what the dossier is now
        SELECT a.id, 1, 'status'::text, d.status, 'deleted'::text
          FROM dossier.approval_details_subjects(p_ids, 'delete') a JOIN dossier.dossiers d ON d.id = a.dossier_id;
        WHEN 'loan' THEN
            RETURN QUERY
        -- mode, period, purpose (the period as wire_duration spells it, written
        -- out: a record-returning SQL function in FROM is planned at every call)
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'loan') a
          JOIN dossier.loans l ON l.id = a.loan_id
         CROSS JOIN LATERAL (SELECT extract(epoch FROM l.requested_duration)::bigint AS seconds) s
         CROSS JOIN LATERAL (VALUES (1, 'mode', l.mode),
                                    (2, CASE WHEN s.seconds % 86400 = 0 THEN 'days' ELSE 'hours' END,
                                        (CASE WHEN s.seconds % 86400 = 0 THEN s.seconds / 86400 ELSE s.seconds / 3600 END)::text),
                                    (3, 'purpose', l.purpose)) x(ord, field, new);
        WHEN 'extend' THEN
            RETURN QUERY
        -- The period asked for and the due time it moves (never past the level's
        -- longest loan counted from the due time it extends).
        SELECT a.id, x.ord, x.field, x.old, x.new
          FROM dossier.approval_details_subjects(p_ids, 'extend') a
          JOIN dossier.loans l ON l.id = a.loan_id
          JOIN dossier.dossiers d ON d.id = l.dossier_id
          JOIN dossier.loan_rules r ON r.level = d.level
         CROSS JOIN LATERAL (SELECT (a.payload ->> 'seconds')::bigint AS seconds,
                                    coalesce((a.payload ->> 'from')::timestamptz, l.due_at) AS due_from) f
         CROSS JOIN LATERAL (VALUES
                (1, CASE WHEN f.seconds % 86400 = 0 THEN 'days' ELSE 'hours' END, ''::text,
                    (CASE WHEN f.seconds % 86400 = 0 THEN f.seconds / 86400 ELSE f.seconds / 3600 END)::text),
                (2, 'due', dossier.wire_time(f.due_from),
                           dossier.wire_time(least(f.due_from + make_interval(secs => f.seconds),
                                                   f.due_from + coalesce(r.max_duration, interval '0')))),
                (3, 'mode', ''::text, l.mode)) x(ord, field, old, new);
        WHEN 'access' THEN
            RETURN QUERY
        -- hours and purpose
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'access') a
         CROSS JOIN LATERAL (VALUES (1, 'hours', a.payload ->> 'hours'), (2, 'purpose', a.payload ->> 'purpose')) x(ord, field, new);
        WHEN 'destroy' THEN
            RETURN QUERY
        -- the method and the retention that ran out
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'destroy') a
          LEFT JOIN dossier.dossier_retention r ON r.dossier_id = a.dossier_id
         CROSS JOIN LATERAL (VALUES (1, 'method', a.payload ->> 'method'),
                                    (2, 'retain_until', coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), ''))) x(ord, field, new);
        WHEN 'waive' THEN
            RETURN QUERY
        -- the penalty as charged
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'waive') a
          JOIN dossier.penalties pe ON pe.id = a.penalty_id
          JOIN dossier.users u ON u.id = pe.user_id
         CROSS JOIN LATERAL (VALUES (1, 'penalty', 'P' || pe.id), (2, 'user', u.login), (3, 'rule', pe.rule_code),
                                    (4, 'occurred', to_char(pe.occurred_on, 'YYYY-MM-DD')),
                                    (5, 'amount', dossier.wire_money(pe.amount_fen))) x(ord, field, new);
        ELSE
            NULL;
        END CASE;
    END LOOP;
END $fn$;

-- The details of the requests p_ids, whatever their kinds (APPROVAL SHOW's
-- approval_details, reports): the kinds read first, then the queries above.
CREATE OR REPLACE FUNCTION dossier.approval_details_of(p_ids bigint[])
RETURNS TABLE (approval_id bigint, ord int, field text, old text, new text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    RETURN QUERY SELECT * FROM dossier.approval_details_of(
        p_ids, ARRAY(SELECT DISTINCT ap.kind FROM dossier.approvals ap WHERE ap.id = ANY (p_ids)));
END $fn$;

-- APPROVAL LIST and SHOW (0094, 0095): the details with the page's kinds.
CREATE OR REPLACE FUNCTION dossier.approval_listing(p_mode text, p_kind text, p_after bigint, p_limit int,
                                         p_user bigint, p_role text, p_dept bigint)
RETURNS TABLE (id bigint, kind text, status text, current_step int, step_count int, customer_id bigint, target text,
               requester text, waiting_for text, created text, reason text, obstacle text, details text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_ids bigint[];
BEGIN
    IF p_mode = 'pending' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
              JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after AND a.status = 'pending'
               AND a.requester_id <> p_user AND s.approver_role = p_role
               AND (s.approver_dept_id IS NULL OR s.approver_dept_id = p_dept)
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'mine' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after AND a.requester_id = p_user
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'all' THEN
        v_ids := ARRAY(
            SELECT a.id FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
             WHERE (p_kind IS NULL OR a.kind = p_kind) AND a.id > p_after
             ORDER BY a.id LIMIT p_limit);
    ELSIF p_mode = 'one' THEN
        v_ids := ARRAY[p_after];
    ELSE
        RAISE EXCEPTION 'unknown approval listing %', p_mode;
    END IF;
    RETURN QUERY
        WITH page AS MATERIALIZED (
            SELECT a.id, a.kind, a.status, a.current_step, a.step_count, a.customer_id,
                   CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
                        WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
                        WHEN a.kind = 'customer_edit' THEN c.number
                        ELSE coalesce(d.number, 'D' || a.dossier_id) END AS target,
                   u.login AS requester,
                   CASE WHEN a.status = 'pending' THEN s.approver_role || coalesce(':' || sd.code, '') ELSE '' END AS waiting_for,
                   dossier.wire_time(a.created_at) AS created,
                   coalesce(a.reason, '') AS reason,
                   coalesce(a.closed_reason, o.reason, '') AS obstacle
              FROM dossier.approvals a
              JOIN dossier.users u ON u.id = a.requester_id
              LEFT JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
              LEFT JOIN dossier.departments sd ON sd.id = s.approver_dept_id
              LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
              LEFT JOIN dossier.customers c ON c.id = a.customer_id
              LEFT JOIN dossier.approval_obstacles(v_ids) o ON o.approval_id = a.id
             WHERE a.id = ANY (v_ids)),
             details AS (
                 SELECT x.approval_id,
                        string_agg(x.field || ': ' || CASE WHEN x.old <> '' THEN x.old || ' → ' ELSE '' END || x.new,
                                   '; ' ORDER BY x.ord, x.field) AS details
                   FROM dossier.approval_details_of(ARRAY(SELECT p.id FROM page p),
                                                    ARRAY(SELECT DISTINCT p.kind FROM page p)) x
                  GROUP BY x.approval_id)
        SELECT page.id, page.kind, page.status, page.current_step, page.step_count, page.customer_id, page.target,
               page.requester, page.waiting_for, page.created, page.reason, page.obstacle, coalesce(details.details, '')
          FROM page LEFT JOIN details ON details.approval_id = page.id
         ORDER BY page.id;
END $$;

-- 0110's writers, their audit rows by assignment (what they write is unchanged).
CREATE OR REPLACE FUNCTION dossier.approval_request(p_kind text, p_dept bigint, p_requester bigint, p_dossier bigint,
                                         p_customer bigint, p_loan bigint, p_penalty bigint, p_payload jsonb,
                                         p_reason text, p_chain text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_id bigint;
    v_audit bigint;
BEGIN
    INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, customer_id, loan_id, penalty_id,
                                   payload, reason, step_count)
    VALUES (p_kind, p_dept, p_requester, p_dossier, p_customer, p_loan, p_penalty, p_payload, p_reason,
            cardinality(p_chain))
    RETURNING id INTO v_id;
    INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
    SELECT v_id, t.ord, t.role, CASE t.role WHEN 'manager' THEN p_dept END, p_requester
      FROM unnest(p_chain) WITH ORDINALITY AS t(role, ord);
    v_audit := dossier.audit('approval.request', 'A' || v_id, '', p_kind);
    RETURN v_id;
END $$;

CREATE OR REPLACE FUNCTION dossier.loan_checkout(p_loan bigint, p_dossier bigint, p_archivist bigint, p_same_day boolean,
                                      p_reference text)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_due text;
    v_audit bigint;
BEGIN
    UPDATE dossier.loans
       SET status = 'out', checked_out_at = now(), checked_out_by = p_archivist,
           due_at = CASE WHEN p_same_day THEN least(now() + requested_duration, date_trunc('day', now()) + interval '1 day')
                         ELSE now() + requested_duration END
     WHERE id = p_loan
    RETURNING dossier.wire_time(due_at) INTO v_due;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE dossier.dossiers SET status = 'on_loan', updated_at = now() WHERE id = p_dossier;
    v_audit := dossier.audit('loan.checkout', 'L' || p_loan, '', p_reference);
    RETURN v_due;
END $$;

CREATE OR REPLACE FUNCTION dossier.loan_give_back(p_loan bigint, p_dossier bigint, p_archivist bigint, p_complete boolean,
                                       p_note text, p_audit_detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_audit bigint;
BEGIN
    UPDATE dossier.loans
       SET status = 'returned', returned_at = now(), returned_by = p_archivist, return_complete = p_complete,
           return_note = p_note
     WHERE id = p_loan;
    UPDATE dossier.dossiers SET status = 'filed', updated_at = now() WHERE id = p_dossier AND status = 'on_loan';
    IF p_audit_detail IS NOT NULL THEN
        v_audit := dossier.audit('loan.return', 'L' || p_loan, '', p_audit_detail);
    END IF;
END $$;

REVOKE ALL ON FUNCTION dossier.approval_details_of(bigint[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_details_of(bigint[], text[]) TO dossier_app, dossier_bi;
