-- Penalty commands (issue 6): the rules of RULES.md "Penalties" that set-based
-- SQL needs, mirrored from DossierDomain (PenaltyRuleSQLTests checks that both
-- agree), and an index for the STALE_CUSTOMER sweep.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- Repeat escalation (RepeatEscalation.multiplier): the ordinal-th violation of
-- a calendar month is doubled from the 2nd for sales staff and from the 3rd for
-- service staff; ×2, never compounding.
CREATE FUNCTION dossier.repeat_multiplier(p_line text, p_ordinal int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_ordinal >= CASE p_line WHEN 'service' THEN 3 ELSE 2 END THEN 2 ELSE 1 END
$$;

-- LATE_FILING (ViolationSchedule.workingDaysToSubmit): working days a draft may
-- stay unsubmitted after the day it was created.
CREATE FUNCTION dossier.filing_working_days(p_line text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_line WHEN 'service' THEN 1 ELSE 3 END
$$;

REVOKE ALL ON FUNCTION dossier.repeat_multiplier(text, int), dossier.filing_working_days(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.repeat_multiplier(text, int), dossier.filing_working_days(text) TO dossier_app, dossier_bi;

-- STALE_CUSTOMER: the sweep looks only at open customers not updated for about
-- a month; in steady state (monthly refreshes) that is a small part of them.
CREATE INDEX customers_stale_idx ON customers (updated_at) WHERE closed_on IS NULL AND purged_at IS NULL;

-- OVERDUE_LOAN and LATE_FILING also look at violations corrected lately (a
-- loan returned late, a draft submitted late) up to their correction, so that a
-- correction between the end of a day and the next sweep loses nothing: these
-- keep that look cheap.
CREATE INDEX loans_late_return_idx ON loans (returned_at) WHERE status = 'returned' AND returned_at > due_at;
CREATE INDEX approvals_filing_requests_idx ON approvals (created_at) WHERE kind = 'file';
