-- The audit log at scale (issue 17, point 4): verification in bounded
-- batches, and checkpoints so that a daily AUDIT VERIFY checks only the rows
-- written since the last one.
--
-- 0013's audit_verify() joined every row to its predecessor in one parallel
-- hash join: fast up to a few million rows, then the join's hash table spills
-- and the statement's memory and temporary files grow with the log. Here a
-- chain is walked in keyset batches over its (chain, position) index: each
-- batch takes the next rows of every chain, checks each row's digest and its
-- link to the row before it (in the batch, or the last row of the batch
-- before), and carries each chain's last row to the next batch. Memory is one
-- batch, whatever the size of the log; all batches read one snapshot (a STABLE
-- function), so the verified heads are those of one moment.
--
-- A checkpoint (audit_checkpoints, K<id>) records, after a verification that
-- found nothing wrong, the last verified row of every chain — chain, position,
-- hash — under an HMAC of the daemons' audit key (as the seals of 0022), chained
-- to the checkpoint before by its MAC. An incremental verification starts from
-- the last checkpoint's rows; what that cannot see and what a full one adds is
-- in deploy/PROTOCOL-NOTES.md ("Audit checkpoints").
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE audit_checkpoints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- K<id>
    -- The checkpoint this one extends (0 for the first): one successor each, so
    -- verifications that ran at once cannot both record one after the same.
    follows      bigint NOT NULL UNIQUE CHECK (follows >= 0),
    verified_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    verified_by  text NOT NULL,
    mode         text NOT NULL CHECK (mode IN ('full', 'incremental')),
    key_id       text NOT NULL,       -- names the key (0022), never the key itself
    -- The last verified row of every chain that has rows, in chain order:
    -- chain:position:hex(hash),… (the format of a seal's heads).
    heads        text NOT NULL,
    verified     bigint NOT NULL,     -- rows the verification checked
    prev_mac     bytea NOT NULL,      -- the MAC of the checkpoint before (empty for the first)
    mac          bytea NOT NULL
);
CREATE TRIGGER audit_checkpoints_permanent BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- Row-level security: the owner's policy only (policies.sql); read and written
-- only through the functions below.
REVOKE ALL ON audit_checkpoints FROM PUBLIC;

-------------------------------------------------------------------------------
-- Verification in batches
-------------------------------------------------------------------------------
-- Verifies every chain that has a head, from the rows after p_from (heads in
-- the checkpoint format; NULL or empty: from each chain's first row), in
-- batches of at most p_batch rows per chain. `verified` is the number of rows
-- checked, `broken_at` the lowest id of a row found broken (NULL when all
-- hold), `heads` the last row of every chain with rows (chain:position:hash),
-- as far as checked. A row is broken as in 0013: its hash is not the digest of
-- its content and prev_hash; it does not follow the row before it in its chain
-- (position one more, prev_hash that row's hash — for the first row after
-- p_from, the position and hash p_from records); it lies past its chain's head;
-- or it claims digest version 1 outside the rows that predate the chains. A
-- head whose last row is missing or differs names the id it recorded. Rows of
-- a chain without a head and rows at a position below 1 are broken too, and
-- counted.
--
-- The batch walks each chain over its (chain, position) index. Within a chain
-- ids grow with positions (0013), so rows of all chains at the same positions
-- were written at about the same time and lie on the same heap pages. Measured
-- at 1M rows (2 cores, load about 7): 3.8-4.3 s with 500-5,000 rows per chain
-- and batch, 8 s with 20,000 (the batch no longer stays in shared buffers).
CREATE FUNCTION dossier.audit_verify_from(p_from text, p_batch integer DEFAULT 2000)
RETURNS TABLE (verified bigint, broken_at bigint, heads text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '32MB'  -- one batch sorted in memory: 32 chains x 2,000 rows, about 10 MB
-- Each batch is a new execution: JIT compiled it every time (25 ms and more)
-- for a statement of a few milliseconds.
SET jit = off
AS $$
DECLARE
    c_chain  int2[];   -- per chain with a head: where the walk stands
    c_pos    int8[];
    c_hash   bytea[];
    c_ver    int2[];
    c_head   int8[];
    b        record;
    i        int;
    more     boolean;
    n        int8 := 0;
    broken   int8;
BEGIN
    IF p_batch IS NULL OR p_batch < 1 THEN
        RAISE EXCEPTION 'batch size must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Where each chain starts: after the recorded row (its position and hash as
    -- recorded; the row's version as stored), or before its first row.
    WITH f AS (
        SELECT split_part(x, ':', 1)::int2 AS chain, split_part(x, ':', 2)::int8 AS position,
               decode(split_part(x, ':', 3), 'hex') AS hash
          FROM unnest(string_to_array(nullif(p_from, ''), ',')) AS x
    )
    SELECT array_agg(h.chain ORDER BY h.chain),
           array_agg(coalesce(f.position, 0) ORDER BY h.chain),
           array_agg(coalesce(f.hash, '\x'::bytea) ORDER BY h.chain),
           array_agg(a.digest_version ORDER BY h.chain),
           array_agg(h.last_position ORDER BY h.chain)
      INTO c_chain, c_pos, c_hash, c_ver, c_head
      FROM dossier.audit_chains h
      LEFT JOIN f ON f.chain = h.chain
      LEFT JOIN dossier.audit_log a ON a.chain = f.chain AND a.position = f.position;

    LOOP
        more := false;
        FOR b IN
            WITH s AS (
                SELECT * FROM unnest(c_chain, c_pos, c_hash, c_ver, c_head) AS s (chain, pos, hash, ver, head)
            ),
            r AS (
                SELECT s.chain, s.pos, s.hash AS s_hash, s.ver AS s_ver, s.head, a.*
                  FROM s CROSS JOIN LATERAL (
                      SELECT a.id, a.position, a.hash, a.prev_hash, a.digest_version,
                             a.hash IS DISTINCT FROM dossier.audit_digest(a.prev_hash, a) AS unsound
                        FROM dossier.audit_log a
                       WHERE a.chain = s.chain AND a.position > s.pos
                       ORDER BY a.position
                       LIMIT p_batch) a
            ),
            w AS (
                SELECT r.*,
                       coalesce(lag(r.position) OVER c, r.pos) AS p_pos,
                       CASE WHEN lag(r.position) OVER c IS NULL THEN r.s_hash ELSE lag(r.hash) OVER c END AS p_hash,
                       CASE WHEN lag(r.position) OVER c IS NULL THEN r.s_ver ELSE lag(r.digest_version) OVER c END AS p_ver,
                       lead(r.position) OVER c IS NULL AS last
                  FROM r
                WINDOW c AS (PARTITION BY r.chain ORDER BY r.position)
            )
            SELECT w.chain, count(*) AS n,
                   min(w.id) FILTER (WHERE w.unsound
                          OR w.position <> w.p_pos + 1
                          OR w.prev_hash IS DISTINCT FROM w.p_hash
                          OR w.position > w.head
                          OR w.digest_version NOT IN (1, 2)
                          OR (w.digest_version = 1 AND (w.chain <> 0 OR w.p_ver <> 1))) AS broken,
                   max(w.position) AS pos,
                   (array_agg(w.hash) FILTER (WHERE w.last))[1] AS hash,
                   (array_agg(w.digest_version) FILTER (WHERE w.last))[1] AS ver
              FROM w
             GROUP BY w.chain
        LOOP
            i := array_position(c_chain, b.chain);
            c_pos[i] := b.pos;
            c_hash[i] := b.hash;
            c_ver[i] := b.ver;
            n := n + b.n;
            broken := least(broken, b.broken);  -- least() skips NULLs
            more := more OR b.n >= p_batch;
        END LOOP;
        EXIT WHEN NOT more;
    END LOOP;

    -- Heads: the row a head names must be there with the recorded id and hash.
    broken := least(broken, (
        SELECT min(coalesce(l.id, h.last_id, 0))
          FROM dossier.audit_chains h
          LEFT JOIN dossier.audit_log l ON l.chain = h.chain AND l.position = h.last_position
         WHERE CASE WHEN h.last_position = 0 THEN h.last_id IS NOT NULL OR h.last_hash <> '\x'::bytea
                    ELSE l.id IS DISTINCT FROM h.last_id OR l.hash IS DISTINCT FROM h.last_hash END));

    -- Rows the walk cannot reach: of a chain without a head, or at a position
    -- below 1; found over the index one chain at a time, so cheap every time.
    SELECT least(broken, min(x.first)), n + coalesce(sum(x.rows), 0)
      INTO broken, n
      FROM (
          WITH RECURSIVE chains (chain) AS (
              SELECT min(a.chain) FROM dossier.audit_log a
              UNION ALL
              SELECT (SELECT min(a.chain) FROM dossier.audit_log a WHERE a.chain > chains.chain)
                FROM chains WHERE chains.chain IS NOT NULL
          )
          -- Two forms, so that each reads only the index range it needs.
          SELECT CASE WHEN h.chain IS NULL
                      THEN (SELECT min(a.id) FROM dossier.audit_log a WHERE a.chain = k.chain)
                      ELSE (SELECT min(a.id) FROM dossier.audit_log a WHERE a.chain = k.chain AND a.position < 1)
                 END AS first,
                 CASE WHEN h.chain IS NULL
                      THEN (SELECT count(*) FROM dossier.audit_log a WHERE a.chain = k.chain)
                      ELSE (SELECT count(*) FROM dossier.audit_log a WHERE a.chain = k.chain AND a.position < 1)
                 END AS rows
            FROM chains k
            LEFT JOIN dossier.audit_chains h ON h.chain = k.chain
           WHERE k.chain IS NOT NULL
      ) x;

    verified := n;
    broken_at := broken;
    SELECT coalesce(string_agg(t.chain || ':' || t.pos || ':' || encode(t.hash, 'hex'), ',' ORDER BY t.chain), '')
      INTO heads
      FROM unnest(c_chain, c_pos, c_hash) AS t (chain, pos, hash)
     WHERE t.pos > 0;
    RETURN NEXT;
END $$;

-- The whole log, as 0013's function answered: rows, lowest broken id.
DROP FUNCTION dossier.audit_verify();
CREATE FUNCTION dossier.audit_verify() RETURNS TABLE (verified bigint, broken_at bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT v.verified, v.broken_at FROM dossier.audit_verify_from(NULL) v
$$;

-------------------------------------------------------------------------------
-- Checkpoints
-------------------------------------------------------------------------------
-- Every checkpoint, oldest first, for the daemon to check their MACs.
CREATE FUNCTION dossier.audit_checkpoints()
RETURNS TABLE (id bigint, follows bigint, mode text, key_id text, heads text, verified bigint, prev_mac bytea, mac bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT k.id, k.follows, k.mode, k.key_id, k.heads, k.verified, k.prev_mac, k.mac
      FROM dossier.audit_checkpoints k ORDER BY k.id
$$;

-- Records a checkpoint computed by the daemon after p_follows (0: the first).
-- Serialised by a transaction-level lock; when another verification recorded
-- one after p_follows meanwhile, records nothing and answers NULL (the unique
-- `follows` refuses a second successor even without the lock).
CREATE FUNCTION dossier.audit_checkpoint_write(p_follows bigint, p_by text, p_mode text, p_key_id text, p_heads text,
                                               p_verified bigint, p_prev_mac bytea, p_mac bytea)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    written bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('dossier.audit_checkpoint', 0));
    IF p_follows IS DISTINCT FROM coalesce((SELECT max(k.id) FROM dossier.audit_checkpoints k), 0) THEN
        RETURN NULL;
    END IF;
    INSERT INTO dossier.audit_checkpoints (follows, verified_by, mode, key_id, heads, verified, prev_mac, mac)
    VALUES (p_follows, p_by, p_mode, p_key_id, p_heads, p_verified, p_prev_mac, p_mac)
    RETURNING audit_checkpoints.id INTO written;
    RETURN written;
END $$;

REVOKE ALL ON FUNCTION dossier.audit_verify_from(text, integer), dossier.audit_verify(), dossier.audit_checkpoints(),
    dossier.audit_checkpoint_write(bigint, text, text, text, text, bigint, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.audit_verify_from(text, integer), dossier.audit_verify(), dossier.audit_checkpoints(),
    dossier.audit_checkpoint_write(bigint, text, text, text, text, bigint, bytea, bytea) TO dossier_app;
