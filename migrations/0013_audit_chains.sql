-- The audit log in K independent hash chains (stripes) instead of one.
--
-- 0006 kept one chain head that every audited command locked from its audit
-- row until commit, so all audited commands of all daemons queued on one row
-- (DOSSIER SHOW stopped at ~500/s: one commit flush at a time). Now a writer
-- takes any free chain (SKIP LOCKED) and keeps it until commit; each row
-- carries its chain and its position in it, so every chain's order is total
-- and well defined under concurrent writers, and chains are verified
-- separately. The log's global order is still the id order.
--
-- Rows written before this migration form chain 0, positions 1..n in id order,
-- and keep their original hashes (digest_version 1, which does not cover chain
-- and position); every later row is sealed with digest_version 2.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- Rows: chain, position, digest version
-------------------------------------------------------------------------------
-- Existing rows get version 1 and chain 0 without being rewritten (a constant
-- default); the defaults then change for rows to come.
ALTER TABLE audit_log
    ADD COLUMN digest_version smallint NOT NULL DEFAULT 1,
    ADD COLUMN chain smallint NOT NULL DEFAULT 0,
    ADD COLUMN position bigint;
ALTER TABLE audit_log ALTER COLUMN digest_version SET DEFAULT 2;
ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT;

-- Positions of the existing rows: their chain order was the id order. This
-- fills the new column only; nothing the old hashes cover changes.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log a SET position = n.position
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS position FROM audit_log) n
 WHERE n.id = a.id;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
ALTER TABLE audit_log ALTER COLUMN position SET NOT NULL;

-- One row per place in a chain; also the order verification reads a chain in.
CREATE UNIQUE INDEX audit_log_chain_position_idx ON audit_log (chain, position);
-- AUDIT LIST: newest first, from a time on (since=).
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

-------------------------------------------------------------------------------
-- Chain heads
-------------------------------------------------------------------------------
-- One row per chain: where it ends. A writer locks one head from its audit row
-- until commit; the head is the chain's tail pointer, so rows deleted from the
-- end of a chain are detected.
CREATE TABLE audit_chains (
    chain          smallint PRIMARY KEY CHECK (chain >= 0),
    last_position  bigint NOT NULL DEFAULT 0,
    last_id        bigint,
    last_hash      bytea NOT NULL DEFAULT '\x'::bytea
) WITH (fillfactor = 20);  -- room for HOT updates: each audit row updates one head

-- 32 chains: more than the connections that write at once in a usual
-- deployment (a few daemons × the pool size), so writers rarely wait for one.
INSERT INTO audit_chains (chain) SELECT g FROM generate_series(0, 31) g;
UPDATE audit_chains c
   SET last_position = (SELECT count(*) FROM audit_log),
       last_id = h.last_id,
       last_hash = h.last_hash
  FROM audit_chain_head h
 WHERE c.chain = 0;

ALTER TABLE audit_chains ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chains FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chains_owner ON audit_chains TO dossier_owner USING (true) WITH CHECK (true);
-- Nobody else reads or writes heads: only audit() and audit_verify() (definer rights).
REVOKE ALL ON audit_chains FROM PUBLIC;

-------------------------------------------------------------------------------
-- Digest, writer, verification
-------------------------------------------------------------------------------
-- Version 1 (rows before this migration): content and the previous hash, as
-- 0006 computed it. Version 2 also covers the version, chain and position.
-- (concat_ws skips NULL, so the version-1 text is exactly the old one.)
-- STABLE, not IMMUTABLE (concat_ws is stable): so the planner inlines it, and
-- verification reads the columns instead of building a whole row per field.
CREATE OR REPLACE FUNCTION audit_digest(prev bytea, r audit_log) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(prev || convert_to(concat_ws(chr(31),
        r.id::text,
        (extract(epoch FROM r.at) * 1000000)::bigint::text,
        coalesce(r.user_id::text, '-'),
        r.login, r.role,
        coalesce(r.dept_id::text, '-'),
        r.action, r.target, r.purpose, r.detail,
        CASE WHEN r.digest_version <> 1
             THEN concat_ws(chr(31), r.digest_version::text, r.chain::text, r.position::text) END), 'UTF8'))
$$;

-- The only way rows get in: the actor comes from the command's
-- transaction-local settings (only the daemon's role may call this).
-- A transaction keeps the chain it took first (dossier.audit_chain), so it
-- never holds two heads and cannot deadlock with another writer over them.
-- The first choice is the backend's own head (pid modulo 32), then the first
-- free one after it (SKIP LOCKED); when every head is taken it waits for its own.
CREATE OR REPLACE FUNCTION audit(p_action text, p_target text, p_purpose text DEFAULT '', p_detail text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    held  smallint := nullif(current_setting('dossier.audit_chain', true), '')::smallint;
    own   smallint := pg_backend_pid() % 32;  -- this backend's chain, tried first
    head  audit_chains;
    r     audit_log;
BEGIN
    IF held IS NOT NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = held FOR UPDATE;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = own FOR UPDATE SKIP LOCKED;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains
         ORDER BY chain < own, chain
         LIMIT 1
           FOR UPDATE SKIP LOCKED;
    END IF;
    IF head.chain IS NULL THEN
        SELECT * INTO head FROM audit_chains WHERE chain = own FOR UPDATE;
    END IF;
    PERFORM set_config('dossier.audit_chain', head.chain::text, true);

    -- The id is drawn under the head's lock: within a chain, ids grow with positions.
    r.id      := nextval(pg_get_serial_sequence('dossier.audit_log', 'id'));
    r.at      := clock_timestamp();
    r.user_id := nullif(current_setting('dossier.user_id', true), '')::bigint;
    r.login   := coalesce(nullif(current_setting('dossier.login', true), ''), 'system');
    r.role    := coalesce(nullif(current_setting('dossier.role', true), ''), 'system');
    r.dept_id := nullif(current_setting('dossier.dept_id', true), '')::bigint;
    r.action  := p_action;
    r.target  := coalesce(p_target, '');
    r.purpose := coalesce(p_purpose, '');
    r.detail  := coalesce(p_detail, '');
    r.digest_version := 2;
    r.chain    := head.chain;
    r.position := head.last_position + 1;
    r.prev_hash := head.last_hash;
    r.hash    := audit_digest(r.prev_hash, r);
    INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT r.*;
    UPDATE audit_chains SET last_position = r.position, last_id = r.id, last_hash = r.hash WHERE chain = r.chain;
    RETURN r.id;
END $$;

-- The read policy of 0009 applied to every role, the owner included, and its
-- actor functions are not parallel safe: that kept verification (which runs
-- with the owner's rights, whose own policy shows every row) off parallel
-- workers, three times slower at 3M rows. The daemon and BI logins are the
-- roles it is for; no other role has SELECT on the table.
ALTER POLICY audit_log_read ON audit_log TO dossier_app, dossier_bi;

-- Recomputes every chain in one snapshot (one statement): `verified` is the
-- number of rows, `broken_at` the lowest id among the rows found broken, NULL
-- when every chain holds. A row is broken when its hash is not the digest of
-- its content and its prev_hash; when its prev_hash is not the hash of the row
-- one position before it in its chain (empty for position 1), so a row deleted
-- in the middle breaks the row after it; when its chain has no head or it lies
-- past its head (appended behind the product's back); or when it claims
-- version 1 outside the rows that predate the chains. A head whose last row is
-- missing (rows deleted at the end of its chain) names the id it recorded as
-- its last row; a head whose last row has another id or hash names that row.
-- Set-based so that it runs in parallel: each row is joined to its
-- predecessor (chain, position - 1) instead of walking the chain in order.
DROP FUNCTION audit_verify();
CREATE FUNCTION audit_verify() RETURNS TABLE (verified bigint, broken_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = dossier, pg_temp
SET work_mem = '128MB'  -- the predecessor join's hash table stays in memory up to ~1M rows
AS $$
BEGIN
    -- RETURN QUERY, because PostgreSQL may run it with parallel workers (a
    -- SELECT INTO or an SQL function's query runs in the backend alone).
    RETURN QUERY
        WITH rows AS (
            SELECT count(*) AS n,
                   min(a.id) FILTER (WHERE
                          a.hash IS DISTINCT FROM dossier.audit_digest(a.prev_hash, a)
                       OR a.prev_hash IS DISTINCT FROM CASE WHEN a.position = 1 THEN '\x'::bytea ELSE p.hash END
                       OR a.position < 1
                       OR c.chain IS NULL OR a.position > c.last_position
                       OR a.digest_version NOT IN (1, 2)
                       OR (a.digest_version = 1 AND (a.chain <> 0 OR p.digest_version <> 1))) AS broken
              FROM dossier.audit_log a
              LEFT JOIN dossier.audit_log p ON p.chain = a.chain AND p.position = a.position - 1
              LEFT JOIN dossier.audit_chains c ON c.chain = a.chain
        ),
        heads AS (
            SELECT min(coalesce(l.id, c.last_id, 0)) AS broken
              FROM dossier.audit_chains c
              LEFT JOIN dossier.audit_log l ON l.chain = c.chain AND l.position = c.last_position
             WHERE CASE WHEN c.last_position = 0 THEN c.last_id IS NOT NULL OR c.last_hash <> '\x'::bytea
                        ELSE l.id IS DISTINCT FROM c.last_id OR l.hash IS DISTINCT FROM c.last_hash END
        )
        SELECT r.n, least(r.broken, h.broken)  -- least() skips NULLs
          FROM rows r, heads h;
END $$;

-- The single head of 0006 is chain 0's head now.
DROP TABLE audit_chain_head;

-- The targets of the audit rows about one dossier, for AUDIT LIST ref=: the
-- dossier under both its names (D<n> until it is filed, the archive number
-- afterwards), the approvals filed on it (A<n>: submission, edits, deletion,
-- access, loans, destruction) and its loans (L<n>). Looked up with the owner's
-- rights: the answer only widens a filter over audit rows, which the caller's
-- own policy still decides, so it shows nothing the caller's audit rows do not.
CREATE FUNCTION audit_target_names(p_ref text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    WITH d AS (
        SELECT d.id, d.number FROM dossier.dossiers d
         WHERE d.id = CASE WHEN p_ref ~ '^D[1-9][0-9]{0,17}$' THEN substr(p_ref, 2)::bigint END
        UNION ALL
        SELECT d.id, d.number FROM dossier.dossiers d WHERE d.number = p_ref
    )
    SELECT array[p_ref] || coalesce((SELECT array_agg(n) FROM (
               SELECT 'D' || d.id FROM d
        UNION  SELECT d.number FROM d WHERE d.number IS NOT NULL
        UNION  SELECT 'A' || a.id FROM dossier.approvals a JOIN d ON a.dossier_id = d.id
        UNION  SELECT 'L' || l.id FROM dossier.loans l JOIN d ON l.dossier_id = d.id) names (n)), '{}')
$$;
-- A dossier's loans, for the lookup above (only active ones were indexed).
CREATE INDEX loans_dossier_idx ON loans (dossier_id);

REVOKE ALL ON FUNCTION audit_verify(), audit_target_names(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_verify(), audit_target_names(text) TO dossier_app;
