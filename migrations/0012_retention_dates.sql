-- Retention dates move from the register card to a narrow side table.
--
-- Why: a rule change rewrites the date of every dossier of its category. On the
-- wide `dossiers` table, with an index on retain_until and seven more, each
-- such update wrote a new tuple plus an entry in all eight indexes (5,000,000
-- dossiers: 424 s). Here a row is ~50 bytes, no index covers retain_until and
-- each page keeps half its space free, so the recomputation is a heap-only
-- (HOT) update within the page: no index is touched (5,000,000 rows: ~20 s).
-- The rows hold copies of what the date is computed from (category, customer,
-- filing day), none of which changes once a dossier is filed, so the
-- recomputation reads nothing else but the customers' closing days.
--
-- A row exists from filing until the dossier is destroyed or purged; while a
-- filed dossier is deleted (and restorable) its date keeps following the rules.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE dossier_retention (
    dossier_id    bigint PRIMARY KEY REFERENCES dossiers (id),
    category      text NOT NULL,
    customer_id   bigint NOT NULL REFERENCES customers (id),
    filed_on      date NOT NULL,
    retain_until  date               -- NULL: never (counted from closing, customer still open)
) WITH (fillfactor = 50);
-- No index may cover retain_until: that would make every recomputation a
-- non-HOT update again. RETENTION DUE walks what the date is computed from
-- instead: per category by filing day, or by the customers' closing day.
CREATE INDEX dossier_retention_category_idx ON dossier_retention (category, filed_on, dossier_id);
CREATE INDEX dossier_retention_customer_idx ON dossier_retention (customer_id);
CREATE INDEX customers_closed_on_idx ON customers (closed_on) WHERE closed_on IS NOT NULL;

INSERT INTO dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
SELECT d.id, d.category, c.customer_id, d.filed_at::date, d.retain_until
  FROM dossiers d JOIN dossier_contents c ON c.dossier_id = d.id
 WHERE d.filed_at IS NOT NULL AND d.status IN ('filed', 'on_loan', 'deleted');

DROP INDEX dossiers_retain_until_idx;
ALTER TABLE dossiers DROP COLUMN retain_until;

-- The date a rule gives: years after filing, or after the customer's closing
-- (NULL, never due, while the customer is open).
CREATE FUNCTION retention_date(p_trigger text, p_years int, p_filed_on date, p_closed_on date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE p_trigger WHEN 'filed' THEN p_filed_on ELSE p_closed_on END + make_interval(years => p_years))::date
$$;

-- Writers are the functions below (SECURITY DEFINER: a rule or a closing applies
-- to every dossier it concerns, whoever triggers it); readers see the rows of
-- the register cards they see.
ALTER TABLE dossier_retention ENABLE ROW LEVEL SECURITY;
ALTER TABLE dossier_retention FORCE ROW LEVEL SECURITY;
CREATE POLICY dossier_retention_owner ON dossier_retention TO dossier_owner USING (true) WITH CHECK (true);
CREATE POLICY dossier_retention_read ON dossier_retention FOR SELECT USING (
    CASE WHEN (SELECT dossier.actor_role()) IN ('director', 'system') THEN true
         ELSE EXISTS (SELECT 1 FROM dossier.dossiers d WHERE d.id = dossier_retention.dossier_id) END
);

-- At the filing approval: the row of the dossier, dated by the current rule
-- (the caller holds the retention rules lock shared).
CREATE FUNCTION retention_file(p_dossier bigint) RETURNS date
LANGUAGE sql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    INSERT INTO dossier.dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
    SELECT d.id, d.category, c.customer_id, d.filed_at::date,
           dossier.retention_date(r.trigger, r.years, d.filed_at::date, cu.closed_on)
      FROM dossier.dossiers d
      JOIN dossier.dossier_contents c ON c.dossier_id = d.id
      JOIN dossier.customers cu ON cu.id = c.customer_id
      JOIN dossier.retention_rules r ON r.category = d.category
     WHERE d.id = p_dossier
    RETURNING retain_until
$$;

-- At CUSTOMER CLOSE: the customer's dossiers whose rule counts from closing.
CREATE FUNCTION retention_close_customer(p_customer bigint) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    WITH changed AS (
        UPDATE dossier.dossier_retention dr
           SET retain_until = dossier.retention_date(r.trigger, r.years, dr.filed_on, cu.closed_on)
          FROM dossier.retention_rules r, dossier.customers cu
         WHERE dr.customer_id = p_customer AND cu.id = dr.customer_id
           AND r.category = dr.category AND r.trigger = 'closed'
        RETURNING 1)
    SELECT count(*) FROM changed
$$;

-- RETENTION SET: how the dates of a category change under a rule (years,
-- trigger), and with p_apply the change itself, in one statement (without it
-- the UPDATE is skipped by a one-time filter). `earlier` includes "never" → a
-- date, `later` a date → "never"; `now_due` counts those the change makes due
-- today. work_mem: the join of old and new over millions of rows stays in memory.
CREATE FUNCTION retention_recompute(p_category text, p_years int, p_trigger text, p_apply boolean,
    OUT changed bigint, OUT earlier bigint, OUT later bigint, OUT now_due bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = dossier, pg_temp SET work_mem = '256MB' AS $$
    WITH diff AS (
        SELECT dr.dossier_id, dr.retain_until AS old,
               dossier.retention_date(p_trigger, p_years, dr.filed_on, cu.closed_on) AS new
          FROM dossier.dossier_retention dr JOIN dossier.customers cu ON cu.id = dr.customer_id
         WHERE dr.category = p_category
    ), applied AS (
        UPDATE dossier.dossier_retention dr SET retain_until = diff.new
          FROM diff
         WHERE p_apply AND dr.dossier_id = diff.dossier_id AND diff.old IS DISTINCT FROM diff.new
        RETURNING 1
    )
    SELECT count(*),
           count(*) FILTER (WHERE new < old OR (old IS NULL AND new IS NOT NULL)),
           count(*) FILTER (WHERE new > old OR (new IS NULL AND old IS NOT NULL)),
           count(*) FILTER (WHERE new < current_date AND NOT coalesce(old < current_date, false))
      FROM diff WHERE old IS DISTINCT FROM new
$$;

-- At destruction and purge: those dossiers have no retention left to compute.
CREATE FUNCTION retention_forget(p_dossiers bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    DELETE FROM dossier.dossier_retention WHERE dossier_id = ANY (p_dossiers)
$$;

REVOKE ALL ON FUNCTION retention_file(bigint), retention_close_customer(bigint),
    retention_recompute(text, int, text, boolean), retention_forget(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_file(bigint), retention_close_customer(bigint),
    retention_recompute(text, int, text, boolean), retention_forget(bigint[]) TO dossier_app;
GRANT EXECUTE ON FUNCTION retention_date(text, int, date, date) TO dossier_app, dossier_bi;
GRANT SELECT ON dossier_retention TO dossier_app, dossier_bi;
