-- LOAN CHECKOUT and LOAN RETURN in one call each (issue 17, point 6). Each
-- ran two: the loan with its rule (loan_for_change, 0110), then, once the
-- daemon had allowed it, the writes (loan_checkout, loan_give_back). The
-- functions below call both in turn and write only when the loan read is in
-- the state the verb needs and the caller is an archivist of its department
-- (p_role, p_dept: the daemon's actor), which is what the daemon requires
-- (Loans.requireArchivist, the status, the rule). They return the loan as
-- read, before the writes: the daemon decides on it as before and refuses
-- (and so rolls back) what it does not allow. Same statements, same rights
-- (the caller's); one round trip fewer per command.
-- Measured (pgbench as dossier_app, old and new alternated in one run,
-- backend CPU by /proc schedstat, rolled back, load ~7): a checkout's
-- transaction 904/860/923 -> 824/825/882 us, a return's 726/1239/1009 -> 688/1202/968 us.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- LOAN CHECKOUT: the loan as loan_for_change returns it, and `due` when it was
-- handed out (loan_checkout's answer), NULL when not.
CREATE FUNCTION dossier.loan_checkout_by(p_loan bigint, p_archivist bigint, p_role text, p_dept bigint)
RETURNS TABLE (id bigint, dossier_id bigint, dept_id bigint, borrower_id bigint, status text, level text,
               reference text, lendable boolean, mode text, seconds bigint, same_day boolean, due text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    l record;
BEGIN
    SELECT * INTO l FROM dossier.loan_for_change(p_loan) x;
    IF NOT FOUND THEN
        RETURN;
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
    IF l.status = 'approved' AND l.lendable IS NOT NULL AND p_role = 'archivist' AND p_dept = l.dept_id THEN
        due := dossier.loan_checkout(l.id, l.dossier_id, p_archivist, l.same_day, l.reference);
    END IF;
    RETURN NEXT;
END $$;

-- LOAN RETURN: the loan as loan_for_change returns it, and `returned` when it
-- was taken back (loan_give_back: p_audit_detail as there).
CREATE FUNCTION dossier.loan_give_back_by(p_loan bigint, p_archivist bigint, p_role text, p_dept bigint,
                                          p_complete boolean, p_note text, p_audit_detail text)
RETURNS TABLE (id bigint, dossier_id bigint, dept_id bigint, borrower_id bigint, status text, level text,
               reference text, lendable boolean, mode text, seconds bigint, same_day boolean, returned boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    l record;
BEGIN
    SELECT * INTO l FROM dossier.loan_for_change(p_loan) x;
    IF NOT FOUND THEN
        RETURN;
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
    returned := false;
    IF l.status = 'out' AND p_role = 'archivist' AND p_dept = l.dept_id THEN
        PERFORM dossier.loan_give_back(l.id, l.dossier_id, p_archivist, p_complete, p_note, p_audit_detail);
        returned := true;
    END IF;
    RETURN NEXT;
END $$;

REVOKE ALL ON FUNCTION dossier.loan_checkout_by(bigint, bigint, text, bigint),
    dossier.loan_give_back_by(bigint, bigint, text, bigint, boolean, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.loan_checkout_by(bigint, bigint, text, bigint),
    dossier.loan_give_back_by(bigint, bigint, text, bigint, boolean, text, text) TO dossier_app;
