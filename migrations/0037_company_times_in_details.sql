-- The due times in an extension's approval details (dossier.approval_details,
-- 0030) follow the company time zone like every other time on the wire
-- (dossier.wire_time, 0035). The function is rewritten from its own definition,
-- so nothing else of it changes; the migration fails if the UTC spelling it
-- replaces is not there exactly twice.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

DO $do$
DECLARE
    v_old     text := pg_get_functiondef('dossier.approval_details(bigint)'::regprocedure);
    v_new     text;
    v_pattern text := $p$ AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')$p$;
BEGIN
    IF (length(v_old) - length(replace(v_old, v_pattern, ''))) / length(v_pattern) <> 2 THEN
        RAISE EXCEPTION 'dossier.approval_details is not the function 0037 expects';
    END IF;
    v_new := replace(v_old, $p$to_char(f.due_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')$p$,
                     'dossier.wire_time(f.due_from)');
    v_new := regexp_replace(v_new,
        $r$to_char\((least\(.*?\))\s+AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'\)$r$,
        'dossier.wire_time(\1)', 's');
    IF position($p$'UTC'$p$ IN v_new) > 0 THEN
        RAISE EXCEPTION 'dossier.approval_details still formats a time in UTC';
    END IF;
    EXECUTE v_new;
END $do$;
