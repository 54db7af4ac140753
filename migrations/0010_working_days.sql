-- Working days (RULES.md "Penalties" → working days): Monday–Friday unless a
-- calendar_days row says otherwise (a 'holiday' on a weekday, a 'workday' make-up
-- day 调休 on a weekend). Used by loans and penalties; mirrored in Swift by
-- DossierDomain.WorkingCalendar (Tests/DossierStoreTests/WorkingDaysTests.swift
-- checks that both agree).
--
-- Both functions are SECURITY DEFINER so that the answer never depends on who
-- asks: calendar_days is row-protected and reads nothing for a caller without a
-- dossier role set. Bodies name every object schema-qualified and pin the
-- search_path anyway. Set-based: a generate_series over the day offsets, left
-- joined with calendar_days.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- Is day d a working day? (Not exported: the two functions below inline it.)
--   coalesce(c.kind = 'workday', extract(isodow FROM d) < 6)

-- working_days_between(from, to): the number of working days d with
-- from < d <= to (the day of `from` itself never counts, the day of `to` does).
-- Same day → 0; the next working day → 1; Friday → Monday → 1 on an ordinary
-- week. When to < from the result is negative: -(working days in (to, from]).
CREATE FUNCTION dossier.working_days_between(p_from date, p_to date) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT (sign(p_to - p_from) * count(*))::int
      FROM pg_catalog.generate_series(1, abs(p_to - p_from)) AS i
      LEFT JOIN dossier.calendar_days c ON c.day = least(p_from, p_to) + i
     WHERE coalesce(c.kind = 'workday', extract(isodow FROM least(p_from, p_to) + i) < 6)
$$;

-- Timestamps count by their calendar day in the session's time zone.
CREATE FUNCTION dossier.working_days_between(p_from timestamptz, p_to timestamptz) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT dossier.working_days_between(p_from::date, p_to::date)
$$;

-- add_working_days(d, n): n > 0 → the n-th working day after d (d itself never
-- counts); n < 0 → the |n|-th working day before d; n = 0 → d itself, working day
-- or not. So working_days_between(d, add_working_days(d, n)) = n. The search
-- window is 2·|n| + 400 days, far more than any run of holidays.
CREATE FUNCTION dossier.add_working_days(p_day date, p_n int) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN p_n = 0 THEN p_day ELSE (
        SELECT p_day + sign(p_n)::int * i
          FROM pg_catalog.generate_series(1, 2 * abs(p_n) + 400) AS i
          LEFT JOIN dossier.calendar_days c ON c.day = p_day + sign(p_n)::int * i
         WHERE coalesce(c.kind = 'workday', extract(isodow FROM p_day + sign(p_n)::int * i) < 6)
         ORDER BY i
        OFFSET abs(p_n) - 1 LIMIT 1) END
$$;

REVOKE ALL ON FUNCTION dossier.working_days_between(date, date), dossier.working_days_between(timestamptz, timestamptz),
    dossier.add_working_days(date, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.working_days_between(date, date), dossier.working_days_between(timestamptz, timestamptz),
    dossier.add_working_days(date, int) TO dossier_app, dossier_bi;
