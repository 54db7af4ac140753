-- Verbs and checks people asked for (issue 11): duplicate customer names,
-- CUSTOMER FIND paged by a cursor, handovers the successor can read and that
-- also record a change of department, revoked grants that say who and why.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- Duplicate customer names
-------------------------------------------------------------------------------
-- The name as compared for duplicates: full-width ASCII forms (ＡＢＣ，（）) and
-- the ideographic space folded to their half-width forms, runs of white space
-- made one space, trimmed, lower case. "上海某某科技有限公司 " and
-- "上海某某科技有限公司" are the same customer; so are "ＡＢＣ（上海）" and "abc(上海)".
CREATE FUNCTION dossier.customer_name_key(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(
        pg_catalog.translate(p_name, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '), '\s+', ' ', 'g')))
$$;
CREATE INDEX customers_name_key_idx ON customers (dossier.customer_name_key(name));

-- The numbers of customers whose name is the same as p_name (customer_name_key),
-- oldest first. Takes a transaction lock on the name, so two CUSTOMER NEWs of
-- one name queue and the second sees the first. SECURITY DEFINER: under the
-- directory's policy the expression index would not be used (the key function
-- is not LEAKPROOF); the directory is visible company-wide to every role that
-- creates customers, so the answer shows nothing the caller could not list.
CREATE FUNCTION dossier.customer_name_duplicates(p_name text)
RETURNS TABLE (number text) LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF pg_catalog.current_setting('dossier.role', true) NOT IN ('rep', 'manager', 'director', 'system') THEN
        RETURN;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('customer-name:' || dossier.customer_name_key(p_name), 0));
    RETURN QUERY
        SELECT c.number FROM dossier.customers c
         WHERE dossier.customer_name_key(c.name) = dossier.customer_name_key(p_name)
         ORDER BY dossier.customer_number_key(c.number)
         LIMIT 5;
END $$;

-------------------------------------------------------------------------------
-- CUSTOMER FIND, page by page: the hit functions of 0008 with a cursor (the
-- number key of the last row shown; NULL for the first page).
-------------------------------------------------------------------------------
CREATE FUNCTION dossier.customer_name_hits(p_needle text, p_limit int, p_after bigint)
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_sample bigint;
    v_after bigint := coalesce(p_after, -1);
BEGIN
    IF pg_catalog.current_setting('dossier.role', true) NOT IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'system')
       OR p_needle IS NULL OR p_needle = '' THEN
        RETURN;
    END IF;
    -- As in 0008: if the next 2000 customers in number order already hold a
    -- page of matches, walking in number order is the fast plan.
    IF pg_catalog.length(p_needle) >= 2 THEN
        EXECUTE 'SELECT pg_catalog.count(*) FROM (SELECT c.name FROM dossier.customers c
                   WHERE dossier.customer_number_key(c.number) > $2
                   ORDER BY dossier.customer_number_key(c.number) LIMIT 2000) s
                  WHERE pg_catalog.strpos(pg_catalog.lower(s.name), pg_catalog.lower($1)) > 0'
            INTO v_sample USING p_needle, v_after;
    END IF;
    IF pg_catalog.length(p_needle) >= 2 AND v_sample < p_limit THEN
        RETURN QUERY EXECUTE
            'SELECT c.id, dossier.customer_number_key(c.number) FROM dossier.customers c
              WHERE dossier.bigrams(c.name) OPERATOR(pg_catalog.@>) dossier.bigrams($1)
                AND pg_catalog.strpos(pg_catalog.lower(c.name), pg_catalog.lower($1)) > 0
                AND dossier.customer_number_key(c.number) > $3
              ORDER BY dossier.customer_number_key(c.number) LIMIT $2'
            USING p_needle, p_limit, v_after;
    ELSE
        RETURN QUERY EXECUTE
            'SELECT c.id, dossier.customer_number_key(c.number) FROM dossier.customers c
              WHERE pg_catalog.strpos(pg_catalog.lower(c.name), pg_catalog.lower($1)) > 0
                AND dossier.customer_number_key(c.number) > $3
              ORDER BY dossier.customer_number_key(c.number) LIMIT $2'
            USING p_needle, p_limit, v_after;
    END IF;
END $$;

CREATE FUNCTION dossier.customer_detail_hits(p_needle text, p_limit int, p_after bigint)
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
            AND dossier.customer_number_key(c.number) > $6
            AND ($2 IN (''director'', ''system'')
                 OR c.owner_id = $3
                 OR ($2 IN (''manager'', ''archivist'') AND c.dept_id = $4)
                 OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id))'
        || CASE WHEN v_role IN ('director', 'system')
                THEN ' ORDER BY dossier.customer_number_key(c.number) LIMIT $5' ELSE '' END
        USING p_needle, v_role, v_user, v_dept, p_limit, coalesce(p_after, -1);
END $$;

DROP FUNCTION dossier.customer_name_hits(text, int);
DROP FUNCTION dossier.customer_detail_hits(text, int);

-------------------------------------------------------------------------------
-- Handovers: why (leaving, or a change of department) and who may read them
-------------------------------------------------------------------------------
ALTER TABLE handovers ADD COLUMN occasion text NOT NULL DEFAULT 'leave' CHECK (occasion IN ('leave', 'transfer'));
-- The department a transferred user moved to (NULL when leaving).
ALTER TABLE handovers ADD COLUMN to_dept_id bigint REFERENCES departments (id);
CREATE INDEX handovers_leaver_idx ON handovers (leaver_id);
CREATE INDEX handovers_successor_idx ON handovers (successor_id);

-- The successor reads the list of what they took over, too.
DROP POLICY handovers_read ON handovers;
CREATE POLICY handovers_read ON handovers FOR SELECT USING (
    CASE
        WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
        WHEN (SELECT dossier.actor_role()) = 'bi' THEN ((SELECT dossier.actor_role()) = 'bi' AND ((SELECT dossier.actor_dept_id()) IS NULL OR dept_id = (SELECT dossier.actor_dept_id())))
        WHEN (SELECT dossier.actor_role()) IN ('admin') THEN true
        WHEN (SELECT dossier.actor_role()) IN ('manager') AND dept_id = (SELECT dossier.actor_dept_id()) THEN true
        WHEN (SELECT dossier.actor_role()) IS NOT NULL THEN leaver_id = (SELECT dossier.actor_user_id())
                                                         OR successor_id = (SELECT dossier.actor_user_id())
        ELSE false
    END
);

-------------------------------------------------------------------------------
-- ACCESS REVOKE: who ended a grant early, and why
-------------------------------------------------------------------------------
ALTER TABLE access_grants ADD COLUMN revoked_by bigint REFERENCES users (id);
ALTER TABLE access_grants ADD COLUMN revoke_reason text;

REVOKE ALL ON FUNCTION dossier.customer_name_key(text), dossier.customer_name_duplicates(text),
    dossier.customer_name_hits(text, int, bigint), dossier.customer_detail_hits(text, int, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.customer_name_key(text) TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION dossier.customer_name_duplicates(text),
    dossier.customer_name_hits(text, int, bigint), dossier.customer_detail_hits(text, int, bigint) TO dossier_app;
