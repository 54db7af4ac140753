-- CUSTOMER FIND by name at a cost that does not grow with the directory (issue 17).
--
-- 0092 read the next 2,000 names in number order for a page of matches and,
-- when they held fewer, took every candidate of the bigram index (GIN: in
-- heap order, not number order), checked and sorted them all. A needle whose
-- first matches lie past the first 2,000 names paid for all its matches in
-- the directory: `物流` 5,000 candidates at 100,000 customers (8.8 ms of
-- backend CPU, 2.0 ms at 1,000), `物流有` 2,400, ten times as many at
-- 1,000,000 customers.
--
-- Now each name's bigrams are also kept as rows (bigram, number key),
-- btree-ordered, so that the customers holding a bigram are read in number
-- order from any cursor. The matches of a needle are the keys present in
-- the lists of all its bigrams whose name contains the needle: the lists are
-- walked together (each probe jumps to the next key >= the largest seen), so
-- a page costs about one probe per list per match, whatever the size of the
-- directory. The name is checked for every key found, so the rows are exactly
-- those of before: the first p_limit names containing the needle, in number
-- order after the cursor. One-character needles (no bigram) walk the
-- directory in number order as before.
--
-- customer_detail_hits (0092): its generic plan walked every customer in
-- number order and hashed all of dossier_contents at 1,000 customers (the
-- details' matches are few); now each match is looked up by id, and the
-- contents probe per customer is kept out of hashing (OFFSET 0). Same rows.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- Only the functions below read and write it (as its owner); row-level
-- security in policies.sql (owner only).
CREATE TABLE customer_name_bigrams (
    bigram text NOT NULL,
    number_key bigint NOT NULL,
    customer_id bigint NOT NULL,
    PRIMARY KEY (bigram, number_key) INCLUDE (customer_id)
);

INSERT INTO customer_name_bigrams (bigram, number_key, customer_id)
SELECT g.bigram, dossier.customer_number_key(c.number), c.id
  FROM customers c CROSS JOIN LATERAL unnest(dossier.bigrams(c.name)) AS g(bigram);
ANALYZE customer_name_bigrams;

-- Kept with the name and number (the number key is unique: customers_number_key_idx).
CREATE FUNCTION customer_name_bigrams_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM dossier.customer_name_bigrams b
         WHERE b.bigram = ANY (dossier.bigrams(OLD.name)) AND b.number_key = dossier.customer_number_key(OLD.number);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO dossier.customer_name_bigrams (bigram, number_key, customer_id)
        SELECT g, dossier.customer_number_key(NEW.number), NEW.id FROM unnest(dossier.bigrams(NEW.name)) g;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION customer_name_bigrams_sync() FROM PUBLIC;
CREATE TRIGGER customer_name_bigrams_insert AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_name_bigrams_sync();
CREATE TRIGGER customer_name_bigrams_update AFTER UPDATE OF name, number ON customers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION customer_name_bigrams_sync();
CREATE TRIGGER customer_name_bigrams_delete AFTER DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_name_bigrams_sync();

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
    v_next bigint;
    v_id bigint;
    v_agree int;
    v_list int;
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
    v_key := v_after;
    <<walk>>
    LOOP
        -- The next customer after v_key holding the first bigram ...
        SELECT b.number_key, b.customer_id INTO v_key, v_id FROM dossier.customer_name_bigrams b
         WHERE b.bigram = v_grams[1] AND b.number_key > v_key ORDER BY b.number_key LIMIT 1;
        EXIT walk WHEN NOT FOUND;
        -- ... moved on until every list holds the same key: v_agree lists in a row do.
        v_agree := 1;
        v_list := 1;
        WHILE v_agree < v_count LOOP
            v_list := v_list % v_count + 1;
            SELECT b.number_key, b.customer_id INTO v_next, v_id FROM dossier.customer_name_bigrams b
             WHERE b.bigram = v_grams[v_list] AND b.number_key >= v_key ORDER BY b.number_key LIMIT 1;
            EXIT walk WHEN NOT FOUND;
            IF v_next = v_key THEN
                v_agree := v_agree + 1;
            ELSE
                v_key := v_next;
                v_agree := 1;
            END IF;
        END LOOP;
        -- Every bigram of the needle is in the name; is the needle? (A needle
        -- of two characters is its one bigram.)
        IF pg_catalog.length(v_needle) = 2
           OR EXISTS (SELECT 1 FROM dossier.customers c
                       WHERE c.id = v_id AND pg_catalog.strpos(pg_catalog.lower(c.name), v_needle) > 0) THEN
            id := v_id;
            number_key := v_key;
            RETURN NEXT;
            v_found := v_found + 1;
            EXIT walk WHEN v_found >= p_limit;
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION dossier.customer_detail_hits(p_needle text, p_limit int, p_after bigint, p_blind bytea[])
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_generic_plan SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_role text := pg_catalog.current_setting('dossier.role', true);
    v_user bigint := nullif(pg_catalog.current_setting('dossier.user_id', true), '')::bigint;
    v_dept bigint := nullif(pg_catalog.current_setting('dossier.dept_id', true), '')::bigint;
    v_after bigint := coalesce(p_after, -1);
    v_blind bytea[] := coalesce(p_blind, '{}'::bytea[]);
    -- Directors and the scheduler see every customer's details: only their
    -- first p_limit in number order; for others every candidate.
    v_limit int := CASE WHEN v_role IN ('director', 'system') THEN p_limit END;
BEGIN
    IF v_role IS NULL OR v_role NOT IN ('rep', 'manager', 'archivist', 'director', 'system')
       OR p_needle IS NULL OR p_needle = '' THEN
        RETURN;
    END IF;
    IF pg_catalog.length(p_needle) >= 2 THEN
        RETURN QUERY
            WITH matches AS MATERIALIZED (
                SELECT d.customer_id FROM dossier.customer_details d
                 WHERE (dossier.customer_detail_bigrams(d.credit_code, d.contact, NULL) OPERATOR(pg_catalog.@>) dossier.bigrams(p_needle)
                        AND (pg_catalog.strpos(pg_catalog.lower(d.credit_code), pg_catalog.lower(p_needle)) > 0
                             OR pg_catalog.strpos(pg_catalog.lower(d.contact), pg_catalog.lower(p_needle)) > 0))
                    OR d.phone_index OPERATOR(pg_catalog.=) ANY (v_blind) OR d.id_number_index OPERATOR(pg_catalog.=) ANY (v_blind))
            SELECT c.id, c.k
              FROM matches m
             CROSS JOIN LATERAL (SELECT c.id, c.owner_id, c.dept_id, dossier.customer_number_key(c.number) AS k
                                   FROM dossier.customers c WHERE c.id = m.customer_id OFFSET 0) c
             WHERE c.k > v_after
               AND (v_role IN ('director', 'system')
                    OR c.owner_id = v_user
                    OR (v_role IN ('manager', 'archivist') AND c.dept_id = v_dept)
                    OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id OFFSET 0))
             ORDER BY 2 LIMIT v_limit;
    ELSE
        RETURN QUERY
            WITH matches AS MATERIALIZED (
                SELECT d.customer_id FROM dossier.customer_details d
                 WHERE pg_catalog.strpos(pg_catalog.lower(d.credit_code), pg_catalog.lower(p_needle)) > 0
                    OR pg_catalog.strpos(pg_catalog.lower(d.contact), pg_catalog.lower(p_needle)) > 0
                    OR d.phone_index OPERATOR(pg_catalog.=) ANY (v_blind) OR d.id_number_index OPERATOR(pg_catalog.=) ANY (v_blind))
            SELECT c.id, c.k
              FROM matches m
             CROSS JOIN LATERAL (SELECT c.id, c.owner_id, c.dept_id, dossier.customer_number_key(c.number) AS k
                                   FROM dossier.customers c WHERE c.id = m.customer_id OFFSET 0) c
             WHERE c.k > v_after
               AND (v_role IN ('director', 'system')
                    OR c.owner_id = v_user
                    OR (v_role IN ('manager', 'archivist') AND c.dept_id = v_dept)
                    OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id OFFSET 0))
             ORDER BY 2 LIMIT v_limit;
    END IF;
END $$;
