-- CUSTOMER FIND: the walk of the bigram lists in one statement (issue 17,
-- point 3). 0130/0132 walked the lists of a needle's bigrams with one
-- statement per index probe (plpgsql: each SELECT ... INTO is its own
-- executor start, ~20 us), ~60 of them for a 3-character needle whose
-- matches are sparse. The same walk is now one recursive query: each step is
-- the same probe (the next key of a list, from the largest key seen), the
-- state (key, list, how many lists agree) is carried in the row, and the
-- walk stops when the page is full (a recursive query is evaluated only as
-- far as its reader fetches) or a list runs out. Same probes in the same
-- order, same rows (old and new function compared on 2,208 cases at
-- SCALE=0.01: needles of 2-4 characters cut from names, limits 1-100, four
-- cursors; identical, partial pages included); the first step (a page among
-- the next 64 names of the first list) unchanged. Measured (pgbench -M
-- prepared, one client as dossier_app, the benchmark's five 3-character
-- needles in one transaction, old and new alternated 7 times, load ~1):
-- 3.82/4.60 -> 2.89/3.26 ms (min/median).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION dossier.customer_name_hits(p_needle text, p_limit int, p_after bigint)
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_generic_plan SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_after bigint := coalesce(p_after, -1);
    v_needle text := pg_catalog.lower(p_needle);
    v_grams text[];
    v_count int;
    v_key bigint;
    v_found int := 0;
BEGIN
    IF pg_catalog.current_setting('dossier.role', true) NOT IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'system')
       OR p_needle IS NULL OR p_needle = '' OR p_limit IS NULL OR p_limit < 1 THEN
        RETURN;
    END IF;
    v_grams := dossier.bigrams(p_needle);
    v_count := pg_catalog.cardinality(v_grams);
    IF v_count = 0 THEN
        -- One character has no bigram: walk in number order, stopping at the limit.
        RETURN QUERY
            SELECT c.id, dossier.customer_number_key(c.number) FROM dossier.customers c
             WHERE pg_catalog.strpos(pg_catalog.lower(c.name), v_needle) > 0
               AND dossier.customer_number_key(c.number) > v_after
             ORDER BY dossier.customer_number_key(c.number) LIMIT p_limit;
        RETURN;
    END IF;
    -- A common needle: a page among the next 64 names of the first list.
    RETURN QUERY
        SELECT w.customer_id, w.number_key
          FROM (SELECT b.customer_id, b.number_key FROM dossier.customer_name_bigrams b
                 WHERE b.bigram = v_grams[1] AND b.number_key > v_after ORDER BY b.number_key LIMIT 64) w
         CROSS JOIN LATERAL (SELECT c.name FROM dossier.customers c WHERE c.id = w.customer_id OFFSET 0) c
         WHERE pg_catalog.strpos(pg_catalog.lower(c.name), v_needle) > 0
         ORDER BY w.number_key LIMIT p_limit;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found >= p_limit THEN
        RETURN;
    END IF;
    -- Every match up to the 64th key has been returned; the walk goes on after it.
    SELECT b.number_key INTO v_key FROM dossier.customer_name_bigrams b
     WHERE b.bigram = v_grams[1] AND b.number_key > v_after ORDER BY b.number_key OFFSET 63 LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- A step moves one list to its first key at or after the largest key seen
    -- (after it, for the first list once every list agreed: the next name).
    -- `agree` lists in a row hold `key`; when all do, the name holds every
    -- bigram of the needle. The walk starts as if all agreed on v_key.
    RETURN QUERY
        WITH RECURSIVE walk (key, customer_id, list, agree) AS (
            SELECT v_key, NULL::bigint, 1, v_count
            UNION ALL
            SELECT nx.number_key, nx.customer_id, s.list,
                   CASE WHEN NOT s.fresh AND nx.number_key = w.key THEN w.agree + 1 ELSE 1 END
              FROM walk w
             CROSS JOIN LATERAL (SELECT CASE WHEN w.agree = v_count THEN 1 ELSE w.list % v_count + 1 END AS list,
                                        w.agree = v_count AS fresh) s
             CROSS JOIN LATERAL (SELECT b.number_key, b.customer_id FROM dossier.customer_name_bigrams b
                                  WHERE b.bigram = v_grams[s.list]
                                    AND b.number_key >= w.key + CASE WHEN s.fresh THEN 1 ELSE 0 END
                                  ORDER BY b.number_key LIMIT 1) nx)
        SELECT w.customer_id, w.key FROM walk w
         WHERE w.agree = v_count AND w.customer_id IS NOT NULL
           -- Every bigram is in the name; is the needle? (Two characters are its one bigram.)
           AND (pg_catalog.length(v_needle) = 2
                OR EXISTS (SELECT 1 FROM dossier.customers c
                            WHERE c.id = w.customer_id AND pg_catalog.strpos(pg_catalog.lower(c.name), v_needle) > 0))
         LIMIT p_limit - v_found;
END $$;
