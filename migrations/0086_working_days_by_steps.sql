-- add_working_days (0010) step by step (issue 17). As one SQL statement it
-- joined a window of 2·|n| + 400 days with the calendar for every call:
-- ~0.3 ms, paid per row by TODO (each draft's LATE_FILING deadline) and the
-- follow-up plans. Now it walks day by day from the given day and looks each
-- one up in calendar_days (primary key), so the cost follows |n| and the
-- holidays on the way (typically n + 2 lookups). Same answers: the n-th
-- working day after (n > 0) or before (n < 0) the day, the day itself for
-- n = 0, NULL past the same search window (WorkingDaysTests compare it with
-- DossierDomain.WorkingCalendar).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION dossier.add_working_days(p_day date, p_n int) RETURNS date
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    step    int := sign(p_n)::int;
    left_   int := abs(p_n);
    d       date;
    working boolean;
BEGIN
    IF p_n = 0 THEN
        RETURN p_day;
    END IF;
    FOR i IN 1 .. 2 * abs(p_n) + 400 LOOP
        d := p_day + step * i;
        -- A working day: a 'workday' row, or no row and Monday–Friday.
        working := (SELECT c.kind = 'workday' FROM dossier.calendar_days c WHERE c.day = d);
        IF coalesce(working, extract(isodow FROM d) < 6) THEN
            left_ := left_ - 1;
            IF left_ = 0 THEN
                RETURN d;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
