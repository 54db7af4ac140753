-- The tamper-evident audit log: append-only, chained by hash.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id    bigint REFERENCES users (id),   -- NULL: the system (scheduler)
    login      text NOT NULL,
    role       text NOT NULL,
    dept_id    bigint REFERENCES departments (id),
    action     text NOT NULL,                  -- e.g. 'dossier.show', 'loan.checkout'
    target     text NOT NULL DEFAULT '',       -- D17, SH-HT-2026-0001, L4, C-2026-00001, …
    purpose    text NOT NULL DEFAULT '',
    detail     text NOT NULL DEFAULT '',
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);
CREATE INDEX audit_log_dept_idx ON audit_log (dept_id, id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);
CREATE INDEX audit_log_target_idx ON audit_log (target, id);

-- The head of the chain. Writers lock it, so the chain order is the id order
-- and stays well defined under concurrent writers.
CREATE TABLE audit_chain_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id    bigint,
    last_hash  bytea NOT NULL
);
INSERT INTO audit_chain_head (last_id, last_hash) VALUES (NULL, '\x'::bytea);

-- The digest of one row: its content and the previous row's hash.
CREATE FUNCTION audit_digest(prev bytea, r audit_log) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(prev || convert_to(concat_ws(chr(31),
        r.id::text,
        (extract(epoch FROM r.at) * 1000000)::bigint::text,
        coalesce(r.user_id::text, '-'),
        r.login, r.role,
        coalesce(r.dept_id::text, '-'),
        r.action, r.target, r.purpose, r.detail), 'UTF8'))
$$;

-- The only way rows get in: the actor comes from the command's
-- transaction-local settings (only the daemon's role may call this).
CREATE FUNCTION audit(p_action text, p_target text, p_purpose text DEFAULT '', p_detail text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    head audit_chain_head;
    r    audit_log;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE singleton FOR UPDATE;
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
    r.prev_hash := head.last_hash;
    r.hash    := audit_digest(r.prev_hash, r);
    INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT r.*;
    UPDATE audit_chain_head SET last_id = r.id, last_hash = r.hash WHERE singleton;
    RETURN r.id;
END $$;

-- Recomputes the chain in id order; returns the first row whose link or hash is wrong.
CREATE FUNCTION audit_verify(OUT verified bigint, OUT broken_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    prev bytea := '\x'::bytea;
    r    audit_log;
BEGIN
    verified := 0;
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        IF r.prev_hash IS DISTINCT FROM prev OR r.hash IS DISTINCT FROM audit_digest(prev, r) THEN
            broken_at := r.id;
            RETURN;
        END IF;
        prev := r.hash;
        verified := verified + 1;
    END LOOP;
    -- A deleted tail shows as a head that points past the last row.
    IF (SELECT last_hash FROM audit_chain_head) IS DISTINCT FROM prev THEN
        broken_at := (SELECT last_id FROM audit_chain_head);
    END IF;
END $$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
