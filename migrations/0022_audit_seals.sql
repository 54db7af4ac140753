-- Seals of the audit chains with a key the database does not hold (issue 10).
--
-- The chains of 0013 have no secret: a superuser who edits the last rows of a
-- chain, recomputes their hashes with dossier.audit_digest and moves the head
-- leaves audit_verify() satisfied. So the daemons, which hold an HMAC key
-- (`--audit-key-file`, DOSSIER_AUDIT_KEY, or the embedded default's key file),
-- write seals: each seal records every chain's head — position and hash — and
-- carries HMAC-SHA256(key, the heads and the previous seal's MAC), computed in
-- the daemon. AUDIT VERIFY checks each seal's MAC and its link to the one
-- before, and that the rows at the last seal's heads still have the sealed
-- hashes: a rewritten and rehashed row at or before a sealed position changes
-- the hash at that position, and a new MAC cannot be made without the key.
-- What seals cannot show is in deploy/PROTOCOL-NOTES.md ("Audit seals").
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE audit_seals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- S<id>
    sealed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    sealed_by  text NOT NULL,
    -- Names the key (a MAC of a fixed text under it), never the key itself.
    key_id     text NOT NULL,
    -- Every chain that has rows, in chain order: chain:position:hex(hash),…
    heads      text NOT NULL,
    prev_mac   bytea NOT NULL,   -- the MAC of the seal before (empty for the first)
    mac        bytea NOT NULL
);
CREATE TRIGGER audit_seals_permanent BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
ALTER TABLE audit_seals ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_seals FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_seals_owner ON audit_seals TO dossier_owner USING (true) WITH CHECK (true);
-- Read and written only through the functions below.
REVOKE ALL ON audit_seals FROM PUBLIC;

-- The heads to seal now and the seal they follow. Takes the sealing lock
-- (transaction-level) so that seals of several daemons form one sequence.
CREATE FUNCTION dossier.audit_seal_begin(OUT heads text, OUT prev_mac bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('dossier.audit_seal', 0));
    SELECT coalesce(string_agg(c.chain || ':' || c.last_position || ':' || encode(c.last_hash, 'hex'), ',' ORDER BY c.chain), '')
      INTO heads FROM dossier.audit_chains c WHERE c.last_position > 0;
    SELECT coalesce((SELECT s.mac FROM dossier.audit_seals s ORDER BY s.id DESC LIMIT 1), '\x'::bytea) INTO prev_mac;
END $$;

-- Writes a seal computed by the daemon; refuses one that does not follow the
-- last seal (another daemon sealed in between: begin again).
CREATE FUNCTION dossier.audit_seal_write(p_by text, p_key_id text, p_heads text, p_prev_mac bytea, p_mac bytea)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sealed bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('dossier.audit_seal', 0));
    IF p_prev_mac IS DISTINCT FROM coalesce((SELECT s.mac FROM dossier.audit_seals s ORDER BY s.id DESC LIMIT 1), '\x'::bytea) THEN
        RAISE EXCEPTION 'the seal does not follow the last one' USING ERRCODE = 'serialization_failure';
    END IF;
    INSERT INTO dossier.audit_seals (sealed_by, key_id, heads, prev_mac, mac)
    VALUES (p_by, p_key_id, p_heads, p_prev_mac, p_mac)
    RETURNING audit_seals.id INTO sealed;
    RETURN sealed;
END $$;

-- Every seal, oldest first, for verification.
CREATE FUNCTION dossier.audit_seals() RETURNS TABLE (id bigint, sealed_at timestamptz, key_id text, heads text,
                                                     prev_mac bytea, mac bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.id, s.sealed_at, s.key_id, s.heads, s.prev_mac, s.mac FROM dossier.audit_seals s ORDER BY s.id
$$;

-- The first sealed head (chain:position) whose row is missing or no longer
-- has the sealed hash; NULL when every one holds.
CREATE FUNCTION dossier.audit_seal_check(p_heads text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT h.chain || ':' || h.position
      FROM (SELECT split_part(x, ':', 1)::int2 AS chain, split_part(x, ':', 2)::int8 AS position,
                   decode(split_part(x, ':', 3), 'hex') AS hash
              FROM unnest(string_to_array(nullif(p_heads, ''), ',')) AS x) h
      LEFT JOIN dossier.audit_log a ON a.chain = h.chain AND a.position = h.position
     WHERE a.hash IS DISTINCT FROM h.hash
     ORDER BY h.chain
     LIMIT 1
$$;

REVOKE ALL ON FUNCTION dossier.audit_seal_begin(), dossier.audit_seal_write(text, text, text, bytea, bytea),
    dossier.audit_seals(), dossier.audit_seal_check(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.audit_seal_begin(), dossier.audit_seal_write(text, text, text, bytea, bytea),
    dossier.audit_seals(), dossier.audit_seal_check(text) TO dossier_app;
