-- The loan verbs in fewer round trips and lighter statements (issue 17, point 6).
--
-- A loan cycle cost PostgreSQL ~15 ms of CPU against ~1.3 ms for the smallest
-- SQL that records it. Most of a statement's cost here is not its work but
-- starting it: every table it touches brings its policies (policies.sql) into
-- the plan, and each execution initialises all of them. So:
--   * LOAN REQUEST read the dossier through DossierRecord.find, twice for a
--     borrower who may not lock it, each time with the content sub-select
--     (dossier_contents and its policy) the request never uses; the loan rule in
--     a third statement. loan_request_target() reads the card's fields a
--     request needs and the rule, in one call.
--   * LOAN REQUEST then wrote loan, approval, steps, audit row and the loan's
--     approval in five statements; loan_request() does it in one call, and
--     approval_request() is what every other request (ApprovalEngine.request)
--     now calls too.
--   * APPROVE of a last step: decision, obstacle and approval in one call
--     (approval_approve_last), and a one-step request's chain is not read again.
--   * LOAN CHECKOUT and LOAN RETURN: the loan with its rule in one call
--     (loan_for_change), the writes and the audit row in another; the
--     return's closing trigger (0030) probes before it closes anything.
-- Every function runs with the caller's rights: each statement in it is
-- decided by the same policies as the statement it replaces. The decisions
-- stay in Swift (LoanPolicy, ApprovalPolicy, the role checks, the messages).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- LOAN REQUEST's dossier by id (p_id) or archive number (p_number), locked
-- when the caller's write policy grants the lock, else read (as
-- DossierRecord.find does); no row when the caller cannot see it. With the
-- loan rule of its level (NULLs when there is none).
CREATE FUNCTION dossier.loan_request_target(p_id bigint, p_number text)
RETURNS TABLE (id bigint, dept_id bigint, level text, scope text, status text, number text,
               lendable boolean, mode text, seconds bigint, same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    d record;
BEGIN
    -- By id or by number: each statement plans to its index.
    IF p_id IS NOT NULL THEN
        SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number INTO d
          FROM dossier.dossiers x WHERE x.id = p_id FOR UPDATE;
        IF NOT FOUND THEN
            SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number INTO d
              FROM dossier.dossiers x WHERE x.id = p_id;
        END IF;
    ELSE
        SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number INTO d
          FROM dossier.dossiers x WHERE x.number = p_number FOR UPDATE;
        IF NOT FOUND THEN
            SELECT x.id, x.dept_id, x.level, x.scope, x.status, x.number INTO d
              FROM dossier.dossiers x WHERE x.number = p_number;
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
    SELECT r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8, r.same_day
      INTO lendable, mode, seconds, same_day
      FROM dossier.loan_rules r WHERE r.level = d.level;
    RETURN NEXT;
END $$;

-- A request (ApprovalEngine.request): the approval, its steps (p_chain, in
-- order; a manager's step is the department's) and its audit row; returns its id.
CREATE FUNCTION dossier.approval_request(p_kind text, p_dept bigint, p_requester bigint, p_dossier bigint,
                                         p_customer bigint, p_loan bigint, p_penalty bigint, p_payload jsonb,
                                         p_reason text, p_chain text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, customer_id, loan_id, penalty_id,
                                   payload, reason, step_count)
    VALUES (p_kind, p_dept, p_requester, p_dossier, p_customer, p_loan, p_penalty, p_payload, p_reason,
            cardinality(p_chain))
    RETURNING id INTO v_id;
    INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
    SELECT v_id, t.ord, t.role, CASE t.role WHEN 'manager' THEN p_dept END, p_requester
      FROM unnest(p_chain) WITH ORDINALITY AS t(role, ord);
    PERFORM dossier.audit('approval.request', 'A' || v_id, '', p_kind);
    RETURN v_id;
END $$;

-- LOAN REQUEST's writes, once Swift has decided it (LoanPolicy, ApprovalPolicy):
-- the loan, its approval request and the loan's link to it; returns both ids.
CREATE FUNCTION dossier.loan_request(p_dossier bigint, p_dept bigint, p_borrower bigint, p_purpose text,
                                     p_mode text, p_seconds bigint, p_chain text[])
RETURNS TABLE (loan_id bigint, approval_id bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO dossier.loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration)
    VALUES (p_dossier, p_dept, p_borrower, p_purpose, p_mode, make_interval(secs => p_seconds))
    RETURNING id INTO loan_id;
    approval_id := dossier.approval_request('loan', p_dept, p_borrower, p_dossier, NULL, loan_id, NULL, '{}'::jsonb,
                                            p_purpose, p_chain);
    UPDATE dossier.loans l SET approval_id = loan_request.approval_id WHERE l.id = loan_request.loan_id;
    RETURN NEXT;
END $$;

-- The loan as the caller may see it (Loans.find), locked when the caller's
-- write policy grants the lock, else read; no row when it is not visible.
-- With the loan rule of its dossier's level (NULLs when there is none).
CREATE FUNCTION dossier.loan_for_change(p_loan bigint)
RETURNS TABLE (id bigint, dossier_id bigint, dept_id bigint, borrower_id bigint, status text, level text,
               reference text, lendable boolean, mode text, seconds bigint, same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    l record;
BEGIN
    SELECT x.id, x.dossier_id, x.dept_id, x.borrower_id, x.status, d.level, coalesce(d.number, 'D' || d.id) AS reference
      INTO l
      FROM dossier.loans x JOIN dossier.dossiers d ON d.id = x.dossier_id
     WHERE x.id = p_loan FOR UPDATE OF x;
    IF NOT FOUND THEN
        SELECT x.id, x.dossier_id, x.dept_id, x.borrower_id, x.status, d.level, coalesce(d.number, 'D' || d.id) AS reference
          INTO l
          FROM dossier.loans x JOIN dossier.dossiers d ON d.id = x.dossier_id
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
    SELECT r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8, r.same_day
      INTO lendable, mode, seconds, same_day
      FROM dossier.loan_rules r WHERE r.level = l.level;
    RETURN NEXT;
END $$;

-- LOAN CHECKOUT's writes once Swift allowed it: the loan out (due by the
-- level's rule), the dossier on loan, the audit row; returns the due time
-- (NULL when no loan row was changed).
CREATE FUNCTION dossier.loan_checkout(p_loan bigint, p_dossier bigint, p_archivist bigint, p_same_day boolean,
                                      p_reference text)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_due text;
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
    PERFORM dossier.audit('loan.checkout', 'L' || p_loan, '', p_reference);
    RETURN v_due;
END $$;

-- LOAN RETURN's writes once Swift allowed it: the loan returned, the dossier
-- filed again; the audit row too when p_audit_detail is given (an incomplete
-- return first charges the penalty, then writes its audit row itself).
CREATE FUNCTION dossier.loan_give_back(p_loan bigint, p_dossier bigint, p_archivist bigint, p_complete boolean,
                                       p_note text, p_audit_detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    UPDATE dossier.loans
       SET status = 'returned', returned_at = now(), returned_by = p_archivist, return_complete = p_complete,
           return_note = p_note
     WHERE id = p_loan;
    UPDATE dossier.dossiers SET status = 'filed', updated_at = now() WHERE id = p_dossier AND status = 'on_loan';
    IF p_audit_detail IS NOT NULL THEN
        PERFORM dossier.audit('loan.return', 'L' || p_loan, '', p_audit_detail);
    END IF;
END $$;

-- APPROVE of a request's last step (ApprovalEngine.approve, every kind): the
-- step's decision, then what stands in the way of carrying it out
-- (approval_obstacle), then the request approved, in one call. Returns the
-- obstacle, if any, without approving: the daemon refuses (CONFLICT) and the
-- transaction, the decision with it, is rolled back.
CREATE FUNCTION dossier.approval_approve_last(p_approval bigint, p_step int, p_approver bigint, p_comment text)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_obstacle text;
BEGIN
    UPDATE dossier.approval_steps SET decision = 'approved', decided_by = p_approver, comment = p_comment, decided_at = now()
     WHERE approval_id = p_approval AND step_no = p_step;
    v_obstacle := (dossier.approval_obstacle(p_approval)).reason;
    IF v_obstacle IS NOT NULL THEN
        RETURN v_obstacle;
    END IF;
    UPDATE dossier.approvals SET status = 'approved', decided_at = now() WHERE id = p_approval;
    RETURN NULL;
END $$;

-- LOAN RETURN: the trigger of 0030 that closes a returned loan's obsolete
-- requests (a pending extension) asks first whether there is any, as 0032's
-- does for a dossier's: nearly every return has none.
CREATE OR REPLACE FUNCTION close_approvals_of_loan() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM approvals WHERE loan_id = NEW.id AND status = 'pending') THEN
        PERFORM close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE loan_id = NEW.id AND status = 'pending'));
    END IF;
    RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION dossier.loan_request_target(bigint, text),
    dossier.approval_request(text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb, text, text[]),
    dossier.loan_request(bigint, bigint, bigint, text, text, bigint, text[]),
    dossier.loan_for_change(bigint),
    dossier.loan_checkout(bigint, bigint, bigint, boolean, text),
    dossier.loan_give_back(bigint, bigint, bigint, boolean, text, text),
    dossier.approval_approve_last(bigint, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.loan_request_target(bigint, text),
    dossier.approval_request(text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb, text, text[]),
    dossier.loan_request(bigint, bigint, bigint, text, text, bigint, text[]),
    dossier.loan_for_change(bigint),
    dossier.loan_checkout(bigint, bigint, bigint, boolean, text),
    dossier.loan_give_back(bigint, bigint, bigint, boolean, text, text),
    dossier.approval_approve_last(bigint, int, bigint, text) TO dossier_app;
