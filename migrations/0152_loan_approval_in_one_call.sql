-- APPROVE of a loan request's last step in one call (issue 17, point 6).
-- APPROVE ran five statements after locking the request: the decision and the
-- approval (approval_approve_last), the loan and its level's rule for the
-- check that the request still fits it (Loans.requireRuleNow), the loan
-- approved, the audit row. approval_approve_loan does the four in one call and
-- returns what the check needs; the daemon decides it (LoanPolicy), as before,
-- and a refusal rolls the whole transaction back, as a refusal after the
-- loan's UPDATE did before. Same statements, same order, same rights (the
-- caller's: no SECURITY DEFINER); three round trips fewer per APPROVE of a
-- loan. Other kinds are unchanged.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- The last step of loan request p_approval (about loan p_loan of a dossier of
-- level p_level now) approved by p_approver. `obstacle` is what stands in the
-- way (nothing else is changed then: the daemon refuses and rolls back);
-- otherwise the loan and its rule as Loans.requireRuleNow reads them (all NULL
-- when the loan is not there: nothing more is written), with the loan approved
-- and the audit row written.
CREATE FUNCTION dossier.approval_approve_loan(p_approval bigint, p_step int, p_approver bigint, p_comment text,
                                              p_loan bigint, p_level text)
RETURNS TABLE (obstacle text, mode text, seconds bigint, lendable boolean, rule_mode text, rule_seconds bigint,
               same_day boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_audit bigint;
BEGIN
    obstacle := dossier.approval_approve_last(p_approval, p_step, p_approver, p_comment);
    IF obstacle IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT l.mode, extract(epoch FROM l.requested_duration)::int8,
           r.lendable, r.mode, extract(epoch FROM r.max_duration)::int8, r.same_day
      INTO mode, seconds, lendable, rule_mode, rule_seconds, same_day
      FROM dossier.loans l LEFT JOIN dossier.loan_rules r ON r.level = p_level
     WHERE l.id = p_loan;
    IF FOUND THEN
        UPDATE dossier.loans SET status = 'approved', approved_at = now() WHERE id = p_loan AND status = 'requested';
        v_audit := dossier.audit('approval.approve', 'A' || p_approval, '', 'final');
    END IF;
    RETURN NEXT;
END $$;

REVOKE ALL ON FUNCTION dossier.approval_approve_loan(bigint, int, bigint, text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_approve_loan(bigint, int, bigint, text, bigint, text) TO dossier_app;
