-- dossier.bigrams was quadratic in its argument's length: substr(t, i, 2)
-- walks the UTF-8 string from its start for every position, so a 16,000-
-- character CUSTOMER FIND needle held a pool connection for seconds. The same
-- result (the sorted distinct bigrams of lower(p_text); '{}' below two
-- characters), from one pass that splits the text into characters.
-- Same output for every input, so the expression indexes stay valid.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION dossier.bigrams(p_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT c.ch OPERATOR(pg_catalog.||) c.next_ch), '{}'::text[])
      FROM (SELECT x.ch, pg_catalog.lead(x.ch) OVER (ORDER BY x.n) AS next_ch
              FROM pg_catalog.string_to_table(pg_catalog.lower(p_text), NULL) WITH ORDINALITY AS x(ch, n)) c
     WHERE c.next_ch IS NOT NULL
$$;
