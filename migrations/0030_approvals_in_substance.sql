-- Issue 11, week A: approvals that show what they would do and close
-- themselves when it can no longer be done; extensions that do not stack;
-- CUSTOMER CONFIRM (a history row); a destruction register that says what was
-- destroyed. The TODO list is 0031.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-------------------------------------------------------------------------------
-- Requests closed by the system: `cancelled`, with the reason recorded.
-------------------------------------------------------------------------------
ALTER TABLE approvals DROP CONSTRAINT approvals_status_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_status_check
    CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'cancelled'));
ALTER TABLE approvals ADD COLUMN closed_reason text;
ALTER TABLE approvals ADD CONSTRAINT approvals_closed_reason CHECK ((status = 'cancelled') = (closed_reason IS NOT NULL));

-- A loan whose request was closed, or that was approved but never handed out
-- before its dossier went away.
ALTER TABLE loans DROP CONSTRAINT loans_status_check;
ALTER TABLE loans ADD CONSTRAINT loans_status_check
    CHECK (status IN ('requested', 'approved', 'out', 'returned', 'rejected', 'withdrawn', 'cancelled'));

-- At most one pending extension per loan, however requests race.
CREATE UNIQUE INDEX approvals_one_pending_extension ON approvals (loan_id) WHERE kind = 'extend' AND status = 'pending';
CREATE INDEX approvals_pending_loan_idx ON approvals (loan_id) WHERE status = 'pending';

-- Why a pending request cannot be carried out now, and whether that is for
-- good (`permanent`: the request is closed) or for the time being (a dossier
-- out on loan, retention not yet over: listed with the reason). NULL reason:
-- nothing stands in the way. SECURITY DEFINER: the answer must not depend on
-- what the asker sees; it names only the request's own target and its state.
CREATE FUNCTION approval_obstacle(p_approval bigint, OUT reason text, OUT permanent boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    a     approvals;
    d     dossiers;
    ref   text;
    l     loans;
    who   users;
    until date;
BEGIN
    permanent := false;
    SELECT * INTO a FROM approvals WHERE id = p_approval;
    IF a.id IS NULL OR a.status <> 'pending' THEN
        RETURN;
    END IF;
    SELECT * INTO who FROM users WHERE id = a.requester_id;
    IF NOT who.active THEN
        reason := who.login || ' has left';
        permanent := true;
        RETURN;
    END IF;
    IF a.kind = 'extend' THEN
        SELECT * INTO l FROM loans WHERE id = a.loan_id;
        IF l.status <> 'out' THEN
            reason := 'L' || l.id || ' is ' || CASE l.status WHEN 'requested' THEN 'pending' ELSE l.status END;
            permanent := true;
            RETURN;
        END IF;
    END IF;
    IF a.dossier_id IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO d FROM dossiers WHERE id = a.dossier_id;
    ref := coalesce(d.number, 'D' || d.id);
    IF d.status IN ('deleted', 'purged', 'destroyed') THEN
        reason := ref || ' is ' || d.status;
        permanent := true;
        RETURN;
    END IF;
    IF a.kind IN ('delete', 'destroy')
       AND EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL) THEN
        reason := ref || ' is on legal hold';
        permanent := true;
        RETURN;
    END IF;
    IF a.kind = 'delete' AND d.status NOT IN ('draft', 'filed') THEN
        reason := ref || ' is ' || d.status;
    ELSIF a.kind = 'destroy' THEN
        IF d.status <> 'filed' THEN
            reason := ref || ' is ' || d.status;
        ELSE
            SELECT r.retain_until INTO until FROM dossier_retention r WHERE r.dossier_id = d.id;
            IF until IS NULL OR until >= current_date THEN
                reason := ref || ' is kept until ' || coalesce(to_char(until, 'YYYY-MM-DD'), 'its customer closes');
            END IF;
        END IF;
    ELSIF a.kind IN ('edit', 'access', 'loan') AND d.status NOT IN ('filed', 'on_loan') THEN
        reason := ref || ' is ' || d.status;
    END IF;
END $$;

-- Closes the pending requests among `p_ids` that can no longer be carried out
-- for good: status `cancelled`, the reason recorded, what the request had
-- reserved given back (a requested loan, a penalty's pending waiver), one
-- audit row `approval.cancel` each. Returns how many it closed.
CREATE FUNCTION close_obsolete_approvals(p_ids bigint[]) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
DECLARE
    r record;
    n int := 0;
BEGIN
    FOR r IN
        SELECT a.id, a.kind, a.loan_id, a.penalty_id, o.reason
          FROM approvals a CROSS JOIN LATERAL approval_obstacle(a.id) o
         WHERE a.id = ANY (p_ids) AND a.status = 'pending' AND o.permanent
         ORDER BY a.id
           FOR UPDATE OF a
    LOOP
        UPDATE approvals SET status = 'cancelled', closed_reason = r.reason, decided_at = now() WHERE id = r.id;
        IF r.kind = 'loan' THEN
            UPDATE loans SET status = 'cancelled' WHERE id = r.loan_id AND status = 'requested';
        ELSIF r.kind = 'waive' THEN
            UPDATE penalties SET waiver_approval_id = NULL WHERE id = r.penalty_id AND waiver_approval_id = r.id;
        END IF;
        PERFORM audit('approval.cancel', 'A' || r.id, r.reason, r.kind);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- The events that make requests obsolete, whoever writes them.
CREATE FUNCTION close_approvals_of_dossier() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'dossiers' THEN
        -- An approved loan not yet handed out is never handed out now.
        UPDATE loans SET status = 'cancelled' WHERE dossier_id = NEW.id AND status = 'approved';
        PERFORM close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE dossier_id = NEW.id AND status = 'pending'));
    ELSE
        PERFORM close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE dossier_id = NEW.dossier_id AND status = 'pending'));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dossiers_close_approvals
    AFTER UPDATE OF status ON dossiers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('deleted', 'purged', 'destroyed'))
    EXECUTE FUNCTION close_approvals_of_dossier();
CREATE TRIGGER legal_holds_close_approvals
    AFTER INSERT ON legal_holds
    FOR EACH ROW EXECUTE FUNCTION close_approvals_of_dossier();

CREATE FUNCTION close_approvals_of_loan() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    PERFORM close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE loan_id = NEW.id AND status = 'pending'));
    RETURN NULL;
END $$;
CREATE TRIGGER loans_close_approvals
    AFTER UPDATE OF status ON loans
    FOR EACH ROW WHEN (OLD.status = 'out' AND NEW.status <> 'out')
    EXECUTE FUNCTION close_approvals_of_loan();

CREATE FUNCTION close_approvals_of_user() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    PERFORM close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE requester_id = NEW.id AND status = 'pending'));
    RETURN NULL;
END $$;
CREATE TRIGGER users_close_approvals
    AFTER UPDATE OF active ON users
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active)
    EXECUTE FUNCTION close_approvals_of_user();

-- Requests that were already stuck before this migration.
SELECT close_obsolete_approvals(ARRAY(SELECT id FROM approvals WHERE status = 'pending'));

-------------------------------------------------------------------------------
-- What a request asks for, one row per field: edits and customer edits field,
-- value before (the change record once applied, else the current value) and
-- requested value; other kinds what the decider needs (period and mode of a
-- loan, the due time an extension moves, hours and purpose of access, method
-- of destruction, the penalty a waiver concerns). Runs with the caller's
-- rights: values come only from rows the caller's policies show, and a
-- request's values are shown only to its requester and to those who may read
-- the dossier's content (or the customer's details) — the deciders.
-------------------------------------------------------------------------------
CREATE FUNCTION dossier.wire_duration(p_seconds bigint, OUT unit text, OUT amount bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_seconds % 86400 = 0 THEN 'days' ELSE 'hours' END,
           CASE WHEN p_seconds % 86400 = 0 THEN p_seconds / 86400 ELSE p_seconds / 3600 END
$$;

CREATE FUNCTION dossier.wire_money(p_fen bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (p_fen / 100)::text || '.' || lpad((p_fen % 100)::text, 2, '0')
$$;

CREATE FUNCTION dossier.approval_details(p_approval bigint)
RETURNS TABLE (ord int, field text, old text, new text)
LANGUAGE sql STABLE AS $$
    WITH a AS (
        SELECT ap.*,
               (ap.requester_id = (SELECT dossier.actor_user_id())
                OR CASE WHEN ap.kind = 'customer_edit'
                        THEN EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = ap.customer_id)
                        WHEN ap.dossier_id IS NOT NULL
                        THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = ap.dossier_id)
                        ELSE true END) AS visible
          FROM dossier.approvals ap
         WHERE ap.id = p_approval
    )
    -- Dossier edits.
    SELECT 10, ch.key,
           coalesce(h.old_value,
                    CASE WHEN a.status = 'pending' THEN
                        CASE ch.key WHEN 'title' THEN c.title WHEN 'location' THEN c.location
                                    WHEN 'level' THEN d.level WHEN 'scope' THEN d.scope END END, ''),
           ch.value
      FROM a
     CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
      LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
      LEFT JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
      LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key
     WHERE a.kind = 'edit' AND a.visible
    UNION ALL
    -- Customer edits.
    SELECT 10, ch.key,
           coalesce(h.old_value,
                    CASE WHEN a.status = 'pending' THEN
                        CASE ch.key WHEN 'name' THEN cu.name WHEN 'owner' THEN ow.login
                                    WHEN 'credit_limit' THEN dossier.wire_money(cd.credit_limit_fen)
                                    ELSE to_jsonb(cd) ->> ch.key END END, ''),
           ch.value
      FROM a
     CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
      LEFT JOIN dossier.customers cu ON cu.id = a.customer_id
      LEFT JOIN dossier.users ow ON ow.id = cu.owner_id
      LEFT JOIN dossier.customer_details cd ON cd.customer_id = a.customer_id
      LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key
     WHERE a.kind = 'customer_edit' AND a.visible
    UNION ALL
    -- Filing: what is filed.
    SELECT x.ord, x.field, '', x.new
      FROM a
      JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
     CROSS JOIN LATERAL (VALUES
            (1, 'title', c.title),
            (2, 'items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id)::text),
            (3, 'unsigned_items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id
                                      AND NOT (i.signed_customer AND i.signed_internal))::text)) x(ord, field, new)
     WHERE a.kind = 'file' AND a.visible
    UNION ALL
    -- Deletion: what the dossier is now.
    SELECT 1, 'status', d.status, 'deleted'
      FROM a JOIN dossier.dossiers d ON d.id = a.dossier_id
     WHERE a.kind = 'delete' AND a.visible
    UNION ALL
    -- Loans: mode, period, purpose.
    SELECT x.ord, x.field, '', x.new
      FROM a
      JOIN dossier.loans l ON l.id = a.loan_id
     CROSS JOIN LATERAL dossier.wire_duration(extract(epoch FROM l.requested_duration)::bigint) p
     CROSS JOIN LATERAL (VALUES (1, 'mode', l.mode), (2, p.unit, p.amount::text), (3, 'purpose', l.purpose)) x(ord, field, new)
     WHERE a.kind = 'loan' AND a.visible
    UNION ALL
    -- Extensions: the period asked for and the due time it moves (never past
    -- the level's longest loan counted from the due time it extends).
    SELECT x.ord, x.field, x.old, x.new
      FROM a
      JOIN dossier.loans l ON l.id = a.loan_id
      JOIN dossier.dossiers d ON d.id = l.dossier_id
      JOIN dossier.loan_rules r ON r.level = d.level
     CROSS JOIN LATERAL dossier.wire_duration((a.payload ->> 'seconds')::bigint) p
     CROSS JOIN LATERAL (SELECT coalesce((a.payload ->> 'from')::timestamptz, l.due_at) AS due_from) f
     CROSS JOIN LATERAL (VALUES
            (1, p.unit, '', p.amount::text),
            (2, 'due', to_char(f.due_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       to_char(least(f.due_from + make_interval(secs => (a.payload ->> 'seconds')::bigint),
                                     f.due_from + coalesce(r.max_duration, interval '0'))
                               AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
            (3, 'mode', '', l.mode)) x(ord, field, old, new)
     WHERE a.kind = 'extend' AND a.visible
    UNION ALL
    -- Access: hours and purpose.
    SELECT x.ord, x.field, '', x.new
      FROM a
     CROSS JOIN LATERAL (VALUES (1, 'hours', a.payload ->> 'hours'), (2, 'purpose', a.payload ->> 'purpose')) x(ord, field, new)
     WHERE a.kind = 'access' AND a.visible
    UNION ALL
    -- Destruction: the method and the retention that ran out.
    SELECT x.ord, x.field, '', x.new
      FROM a
      LEFT JOIN dossier.dossier_retention r ON r.dossier_id = a.dossier_id
     CROSS JOIN LATERAL (VALUES (1, 'method', a.payload ->> 'method'),
                                (2, 'retain_until', coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), ''))) x(ord, field, new)
     WHERE a.kind = 'destroy' AND a.visible
    UNION ALL
    -- Waivers: the penalty as charged.
    SELECT x.ord, x.field, '', x.new
      FROM a
      JOIN dossier.penalties pe ON pe.id = a.penalty_id
      JOIN dossier.users u ON u.id = pe.user_id
     CROSS JOIN LATERAL (VALUES (1, 'penalty', 'P' || pe.id), (2, 'user', u.login), (3, 'rule', pe.rule_code),
                                (4, 'occurred', to_char(pe.occurred_on, 'YYYY-MM-DD')),
                                (5, 'amount', dossier.wire_money(pe.amount_fen))) x(ord, field, new)
     WHERE a.kind = 'waive' AND a.visible
    ORDER BY 1, 2
$$;

REVOKE ALL ON FUNCTION approval_obstacle(bigint), close_obsolete_approvals(bigint[]), dossier.approval_details(bigint),
    dossier.wire_duration(bigint), dossier.wire_money(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION approval_obstacle(bigint), dossier.approval_details(bigint), dossier.wire_duration(bigint),
    dossier.wire_money(bigint) TO dossier_app, dossier_bi;

-------------------------------------------------------------------------------
-- The destruction register keeps what was destroyed (RULES.md: what, why, who,
-- when, method): the title, the customer's number, a company customer's name
-- (a person's name is personal data and goes with the purge) and the item count.
-------------------------------------------------------------------------------
ALTER TABLE destructions
    ADD COLUMN title           text,
    ADD COLUMN customer_number text,
    ADD COLUMN customer_name   text,
    ADD COLUMN items           int CHECK (items >= 0);
