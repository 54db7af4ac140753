-- The loan cycle with fewer look-ups (issue 17, point 6). Each statement run
-- under policies costs most in being started (its policies' quals and its
-- table's CHECK constraints are set up at every execution), so a statement
-- that only finds again what the caller already holds is pure cost:
--   * audit() finds the dossier a row is about from its target (an approval
--     or a loan: one more statement) unless the caller names it (p_about,
--     0170). approval_request, approval_approve_loan, loan_checkout and
--     loan_give_back now name it: the dossier they were called for, which is
--     the approval's or the loan's dossier_id, the value the look-up read.
--   * loan_request_target and loan_for_change read the level's loan rule in
--     a second statement after the dossier or the loan; it is now a LEFT
--     JOIN of the first (no rule: the same NULLs as the empty SELECT INTO).
-- Same rows, same rights (the caller's: none of these is SECURITY DEFINER),
-- same answers. Four statements fewer per loan cycle, one of them per command
-- except APPROVAL LIST; policies.sql's approvals_transition drops a fifth.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- 0150's, with the audit row naming its dossier.
CREATE OR REPLACE FUNCTION dossier.approval_request(p_kind text, p_dept bigint, p_requester bigint, p_dossier bigint,
                                         p_customer bigint, p_loan bigint, p_penalty bigint, p_payload jsonb,
                                         p_reason text, p_chain text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    -- Drawn here rather than read back by RETURNING (0150).
    v_id bigint := nextval('dossier.approvals_id_seq');
    v_audit bigint;
BEGIN
    INSERT INTO dossier.approvals (id, kind, dept_id, requester_id, dossier_id, customer_id, loan_id, penalty_id,
                                   payload, reason, step_count)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_kind, p_dept, p_requester, p_dossier, p_customer, p_loan, p_penalty, p_payload, p_reason,
            cardinality(p_chain));
    INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
    SELECT v_id, t.ord, t.role, CASE t.role WHEN 'manager' THEN p_dept END, p_requester
      FROM unnest(p_chain) WITH ORDINALITY AS t(role, ord);
    v_audit := dossier.audit('approval.request', 'A' || v_id, '', p_kind, p_dossier);
    RETURN v_id;
END $$;

-- 0152's, with the loan's dossier read with its rule and named by the audit row.
CREATE OR REPLACE FUNCTION dossier.approval_approve_loan(p_approval bigint, p_step int, p_approver bigint, p_comment text,
                                              p_loan bigint, p_level text)
RETURNS TABLE (obstacle text, mode text, seconds bigint, lendable boolean, rule_mode text, rule_seconds bigint,
               same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_dossier bigint;
    v_audit bigint;
BEGIN
    obstacle := dossier.approval_approve_last(p_approval, p_step, p_approver, p_comment);
    IF obstacle IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT l.mode, extract(epoch FROM l.requested_duration)::int8,
           r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8, r.same_day, l.dossier_id
      INTO mode, seconds, lendable, rule_mode, rule_seconds, same_day, v_dossier
      FROM dossier.loans l LEFT JOIN dossier.loan_rules r ON r.level = p_level
     WHERE l.id = p_loan;
    IF FOUND THEN
        UPDATE dossier.loans SET status = 'approved', approved_at = now() WHERE id = p_loan AND status = 'requested';
        v_audit := dossier.audit('approval.approve', 'A' || p_approval, '', 'final', v_dossier);
    END IF;
    RETURN NEXT;
END $$;

-- 0120's, with the audit row naming the dossier.
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
    v_audit := dossier.audit('loan.checkout', 'L' || p_loan, '', p_reference, p_dossier);
    RETURN v_due;
END $$;

-- 0120's, with the audit row naming the dossier.
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
        v_audit := dossier.audit('loan.return', 'L' || p_loan, '', p_audit_detail, p_dossier);
    END IF;
END $$;

-- 0110's, with the rule joined to the dossier.
CREATE OR REPLACE FUNCTION dossier.loan_request_target(p_id bigint, p_number text)
RETURNS TABLE (id bigint, dept_id bigint, level text, scope text, status text, number text, lendable boolean,
               mode text, seconds bigint, same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    d record;
BEGIN
    -- By id or by number: each statement plans to its index. Locked when the
    -- caller may change the dossier (its UPDATE policy), read otherwise.
    IF p_id IS NOT NULL THEN
        SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number,
               r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day INTO d
          FROM dossier.dossiers x LEFT JOIN dossier.loan_rules r ON r.level = x.level
         WHERE x.id = p_id FOR UPDATE OF x;
        IF NOT FOUND THEN
            SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number,
                   r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day INTO d
              FROM dossier.dossiers x LEFT JOIN dossier.loan_rules r ON r.level = x.level
             WHERE x.id = p_id;
        END IF;
    ELSE
        SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number,
               r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day INTO d
          FROM dossier.dossiers x LEFT JOIN dossier.loan_rules r ON r.level = x.level
         WHERE x.number = p_number FOR UPDATE OF x;
        IF NOT FOUND THEN
            SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number,
                   r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day INTO d
              FROM dossier.dossiers x LEFT JOIN dossier.loan_rules r ON r.level = x.level
             WHERE x.number = p_number;
        END IF;
    END IF;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    id := d.id;
    dept_id := d.dept_id;
    level := d.level;
    scope := d.scope;
    status := d.status;
    number := d.number;
    lendable := d.lendable;
    mode := d.mode;
    seconds := d.seconds;
    same_day := d.same_day;
    RETURN NEXT;
END $$;

-- 0110's, with the rule joined to the loan's dossier.
CREATE OR REPLACE FUNCTION dossier.loan_for_change(p_loan bigint)
RETURNS TABLE (id bigint, dossier_id bigint, dept_id bigint, borrower_id bigint, status text, level text,
               reference text, lendable boolean, mode text, seconds bigint, same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    l record;
BEGIN
    SELECT x.id, x.dossier_id, x.dept_id, x.borrower_id, x.status, d.level, coalesce(d.number, 'D' || d.id) AS reference,
           r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day
      INTO l
      FROM dossier.loans x JOIN dossier.dossiers d ON d.id = x.dossier_id
      LEFT JOIN dossier.loan_rules r ON r.level = d.level
     WHERE x.id = p_loan FOR UPDATE OF x;
    IF NOT FOUND THEN
        SELECT x.id, x.dossier_id, x.dept_id, x.borrower_id, x.status, d.level, coalesce(d.number, 'D' || d.id) AS reference,
               r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8 AS seconds, r.same_day
          INTO l
          FROM dossier.loans x JOIN dossier.dossiers d ON d.id = x.dossier_id
          LEFT JOIN dossier.loan_rules r ON r.level = d.level
         WHERE x.id = p_loan;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    id := l.id;
    dossier_id := l.dossier_id;
    dept_id := l.dept_id;
    borrower_id := l.borrower_id;
    status := l.status;
    level := l.level;
    reference := l.reference;
    lendable := l.lendable;
    mode := l.mode;
    seconds := l.seconds;
    same_day := l.same_day;
    RETURN NEXT;
END $$;
