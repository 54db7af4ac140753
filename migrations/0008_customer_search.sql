SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- CUSTOMER FIND and CUSTOMER LIST (issue 4).
--
-- Substring search that serves Chinese needles of two characters: pg_trgm needs
-- three characters for an index probe (ENGINEERING.md), and pg_bigm/PGroonga are
-- not in Debian's archive. Every text is indexed as the array of its distinct
-- character bigrams of lower(text); a needle of n >= 2 characters can only occur
-- in a text that contains all of its bigrams, so
--     dossier.bigrams(name) @> dossier.bigrams(needle)
-- is a GIN-indexable necessary condition, and strpos(lower(name), lower(needle)) > 0
-- the exact recheck. A one-character needle has no bigram (empty array, which
-- @> would match everywhere); the daemon searches those without the index.
--
-- Function bodies name everything with its schema: a body resolves names at run
-- time with the caller's search_path.

-- The distinct character bigrams of lower(p_text), sorted; '{}' for NULL and
-- texts shorter than two characters. Costly per row (tens of microseconds):
-- COST tells the planner so, or on small tables it filters by it row by row
-- instead of using the index, and it checks strpos first.
CREATE FUNCTION dossier.bigrams(p_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT pg_catalog.substr(t.lowered, i.n, 2)), '{}'::text[])
      FROM (SELECT pg_catalog.lower(p_text) AS lowered) t,
           pg_catalog.generate_series(1, pg_catalog.length(t.lowered) - 1) AS i(n)
$$;

-- The bigrams of a customer's searchable details (credit code, contact, phone)
-- in one array, so one GIN index serves all three; the query rechecks each field.
CREATE FUNCTION dossier.customer_detail_bigrams(p_credit_code text, p_contact text, p_phone text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 3000 AS $$
    SELECT coalesce(dossier.bigrams(p_credit_code), '{}'::text[])
        OPERATOR(pg_catalog.||) coalesce(dossier.bigrams(p_contact), '{}'::text[])
        OPERATOR(pg_catalog.||) coalesce(dossier.bigrams(p_phone), '{}'::text[])
$$;

-- The sort key of a customer number C-YYYY-NNNNN (more digits past 99999):
-- year, then sequence; text order would put C-2026-100000 before C-2026-99999.
-- CUSTOMER LIST pages by it (keyset).
CREATE FUNCTION dossier.customer_number_key(p_number text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT pg_catalog.substr(p_number, 3, 4)::pg_catalog.int8 * 10000000000
         + pg_catalog.substr(p_number, 8)::pg_catalog.int8
$$;

CREATE INDEX customers_name_bigrams_idx ON customers USING gin (dossier.bigrams(name));
CREATE INDEX customer_details_search_bigrams_idx ON customer_details
    USING gin (dossier.customer_detail_bigrams(credit_code, contact, phone));
CREATE UNIQUE INDEX customers_number_key_idx ON customers (dossier.customer_number_key(number));
-- LIST filters by owner in number order.
CREATE INDEX customers_owner_number_key_idx ON customers (owner_id, dossier.customer_number_key(number));

-- Row-level security and the index. arraycontains (@>) and strpos are not
-- LEAKPROOF, so under the policies of customers/customer_details PostgreSQL
-- evaluates them only after the policy, row by row: a query run directly by
-- dossier_app never uses the indexes above (checked with EXPLAIN). Marking
-- built-ins LEAKPROOF needs a superuser and is lost by dump/upgrade, so the
-- index lookups run in the two SECURITY DEFINER functions below (as the owner,
-- whose policy shows every row). They only narrow the candidates: CUSTOMER FIND
-- joins their ids back to customers and customer_details under the caller's
-- policies, which decide what is shown. Only dossier_app may call them.
-- Both plan each call with the needle's value (EXECUTE … USING), so a common
-- needle ("有限") walks the number index and stops early, a rare one probes GIN.

-- Up to p_limit ids (and number keys) of customers whose name contains p_needle,
-- in number order.
-- Only for actors that see the whole directory (sees_customer_directory: every
-- daemon role but admin), so the limit cannot hide visible rows behind
-- invisible ones; for anyone else it returns nothing.
CREATE FUNCTION dossier.customer_name_hits(p_needle text, p_limit int)
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_sample bigint;
BEGIN
    IF pg_catalog.current_setting('dossier.role', true) NOT IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'system')
       OR p_needle IS NULL OR p_needle = '' THEN
        RETURN;
    END IF;
    -- The planner multiplies the frequencies of a needle's bigrams as if they were
    -- independent, which they are not in company names ("信息技" = 信息 ∧ 息技 is
    -- in every 信息技术有限公司): it expects a few thousand rows and sorts 50,000.
    -- So first look at the first 2000 customers in number order: if they already
    -- hold p_limit matches, walking in number order is the fast plan.
    IF pg_catalog.length(p_needle) >= 2 THEN
        EXECUTE 'SELECT pg_catalog.count(*) FROM (SELECT c.name FROM dossier.customers c
                   ORDER BY dossier.customer_number_key(c.number) LIMIT 2000) s
                  WHERE pg_catalog.strpos(pg_catalog.lower(s.name), pg_catalog.lower($1)) > 0'
            INTO v_sample USING p_needle;
    END IF;
    IF pg_catalog.length(p_needle) >= 2 AND v_sample < p_limit THEN
        RETURN QUERY EXECUTE
            'SELECT c.id, dossier.customer_number_key(c.number) FROM dossier.customers c
              WHERE dossier.bigrams(c.name) OPERATOR(pg_catalog.@>) dossier.bigrams($1)
                AND pg_catalog.strpos(pg_catalog.lower(c.name), pg_catalog.lower($1)) > 0
              ORDER BY dossier.customer_number_key(c.number) LIMIT $2'
            USING p_needle, p_limit;
    ELSE
        -- One character has no bigram, or a common needle: walk in number order,
        -- stopping at the limit.
        RETURN QUERY EXECUTE
            'SELECT c.id, dossier.customer_number_key(c.number) FROM dossier.customers c
              WHERE pg_catalog.strpos(pg_catalog.lower(c.name), pg_catalog.lower($1)) > 0
              ORDER BY dossier.customer_number_key(c.number) LIMIT $2'
            USING p_needle, p_limit;
    END IF;
END $$;

-- Ids of customers whose credit code, contact or phone contains p_needle, among
-- those whose details the actor might see: a necessary condition of
-- sees_customer_details (0007) — directors and the scheduler everything; reps,
-- managers and archivists their own customers, managers and archivists their
-- department's, and any customer with dossier content (the exact rule, grants
-- and loans included, is applied by the caller's policy afterwards); auditors,
-- admins and others nothing. Keep it a superset of that rule when the rule changes.
-- Directors and the scheduler see every customer's details, so for them only the
-- first p_limit in number order are returned; for others every candidate is.
CREATE FUNCTION dossier.customer_detail_hits(p_needle text, p_limit int)
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_role text := pg_catalog.current_setting('dossier.role', true);
    v_user bigint := nullif(pg_catalog.current_setting('dossier.user_id', true), '')::bigint;
    v_dept bigint := nullif(pg_catalog.current_setting('dossier.dept_id', true), '')::bigint;
    v_match text;
BEGIN
    IF v_role IS NULL OR v_role NOT IN ('rep', 'manager', 'archivist', 'director', 'system')
       OR p_needle IS NULL OR p_needle = '' THEN
        RETURN;
    END IF;
    v_match := '(pg_catalog.strpos(pg_catalog.lower(d.credit_code), pg_catalog.lower($1)) > 0
              OR pg_catalog.strpos(pg_catalog.lower(d.contact), pg_catalog.lower($1)) > 0
              OR pg_catalog.strpos(pg_catalog.lower(d.phone), pg_catalog.lower($1)) > 0)';
    IF pg_catalog.length(p_needle) >= 2 THEN
        v_match := 'dossier.customer_detail_bigrams(d.credit_code, d.contact, d.phone)
                        OPERATOR(pg_catalog.@>) dossier.bigrams($1) AND ' || v_match;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT d.customer_id, dossier.customer_number_key(c.number) FROM dossier.customer_details d JOIN dossier.customers c ON c.id = d.customer_id
          WHERE ' || v_match || '
            AND ($2 IN (''director'', ''system'')
                 OR c.owner_id = $3
                 OR ($2 IN (''manager'', ''archivist'') AND c.dept_id = $4)
                 OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id))'
        || CASE WHEN v_role IN ('director', 'system')
                THEN ' ORDER BY dossier.customer_number_key(c.number) LIMIT $5' ELSE '' END
        USING p_needle, v_role, v_user, v_dept, p_limit;
END $$;

REVOKE ALL ON FUNCTION dossier.bigrams(text), dossier.customer_detail_bigrams(text, text, text),
    dossier.customer_number_key(text), dossier.customer_name_hits(text, int), dossier.customer_detail_hits(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.bigrams(text), dossier.customer_detail_bigrams(text, text, text),
    dossier.customer_number_key(text) TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION dossier.customer_name_hits(text, int), dossier.customer_detail_hits(text, int) TO dossier_app;
