-- The details of approvals (0030, 0037) for a whole listing at once, each
-- kind by a query of its own (issue 17). APPROVAL LIST called
-- dossier.approval_details once per listed request. Each call started the
-- executor for statements that carry the policies of every table they read
-- (approvals, dossiers, dossier_contents, loans…): about 0.5 ms per row
-- spent initialising expression trees and checking permissions (perf:
-- ExecInitQual, ExprEvalPushStep, acldefault), ~0.5 s for a page of 1,000,
-- whatever the kind. Now `approval_details_of(ids)` reads a page's requests,
-- their visibility and each kind's details as one statement: the policies
-- are initialised once per listing and applied per row. Same rows, same
-- rights (the caller's: the policies decide what is read); approval_details
-- (one request, APPROVAL SHOW) is the same function for one id.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION dossier.approval_details_of(p_ids bigint[])
RETURNS TABLE (approval_id bigint, ord int, field text, old text, new text)
-- A generic plan: the statement is the same for every page; planning it per
-- call (custom plans) cost more than running it.
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    -- The requests the caller sees, and of them those whose details they may
    -- read: their requester, or whoever may read what it is about.
    WITH a AS MATERIALIZED (
        SELECT ap.* FROM dossier.approvals ap
         WHERE ap.id = ANY (p_ids)
           AND coalesce(ap.requester_id = dossier.actor_user_id()
                        OR CASE WHEN ap.kind = 'customer_edit'
                                THEN EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = ap.customer_id)
                                WHEN ap.dossier_id IS NOT NULL
                                THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = ap.dossier_id)
                                ELSE true END, false)
    )
    -- dossier edits
    SELECT a.id, 10, ch.key,
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
     WHERE a.kind = 'edit'
    UNION ALL
    -- customer edits
    SELECT a.id, 10, ch.key,
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
     WHERE a.kind = 'customer_edit'
    UNION ALL
    -- what is filed
    SELECT a.id, x.ord, x.field, ''::text, x.new
      FROM a
      JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
     CROSS JOIN LATERAL (VALUES
            (1, 'title', c.title),
            (2, 'items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id)::text),
            (3, 'unsigned_items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id
                                      AND NOT (i.signed_customer AND i.signed_internal))::text)) x(ord, field, new)
     WHERE a.kind = 'file'
    UNION ALL
    -- what the dossier is now
    SELECT a.id, 1, 'status'::text, d.status, 'deleted'::text
      FROM a JOIN dossier.dossiers d ON d.id = a.dossier_id
     WHERE a.kind = 'delete'
    UNION ALL
    -- mode, period, purpose (the period as wire_duration spells it, written
    -- out: a record-returning SQL function in FROM is planned at every call)
    SELECT a.id, x.ord, x.field, ''::text, x.new
      FROM a
      JOIN dossier.loans l ON l.id = a.loan_id
     CROSS JOIN LATERAL (SELECT extract(epoch FROM l.requested_duration)::bigint AS seconds) s
     CROSS JOIN LATERAL (VALUES (1, 'mode', l.mode),
                                (2, CASE WHEN s.seconds % 86400 = 0 THEN 'days' ELSE 'hours' END,
                                    (CASE WHEN s.seconds % 86400 = 0 THEN s.seconds / 86400 ELSE s.seconds / 3600 END)::text),
                                (3, 'purpose', l.purpose)) x(ord, field, new)
     WHERE a.kind = 'loan'
    UNION ALL
    -- The period asked for and the due time it moves (never past the level's
    -- longest loan counted from the due time it extends).
    SELECT a.id, x.ord, x.field, x.old, x.new
      FROM a
      JOIN dossier.loans l ON l.id = a.loan_id
      JOIN dossier.dossiers d ON d.id = l.dossier_id
      JOIN dossier.loan_rules r ON r.level = d.level
     CROSS JOIN LATERAL (SELECT (a.payload ->> 'seconds')::bigint AS seconds,
                                coalesce((a.payload ->> 'from')::timestamptz, l.due_at) AS due_from) f
     CROSS JOIN LATERAL (VALUES
            (1, CASE WHEN f.seconds % 86400 = 0 THEN 'days' ELSE 'hours' END, ''::text,
                (CASE WHEN f.seconds % 86400 = 0 THEN f.seconds / 86400 ELSE f.seconds / 3600 END)::text),
            (2, 'due', dossier.wire_time(f.due_from),
                       dossier.wire_time(least(f.due_from + make_interval(secs => f.seconds),
                                               f.due_from + coalesce(r.max_duration, interval '0')))),
            (3, 'mode', ''::text, l.mode)) x(ord, field, old, new)
     WHERE a.kind = 'extend'
    UNION ALL
    -- hours and purpose
    SELECT a.id, x.ord, x.field, ''::text, x.new
      FROM a
     CROSS JOIN LATERAL (VALUES (1, 'hours', a.payload ->> 'hours'), (2, 'purpose', a.payload ->> 'purpose')) x(ord, field, new)
     WHERE a.kind = 'access'
    UNION ALL
    -- the method and the retention that ran out
    SELECT a.id, x.ord, x.field, ''::text, x.new
      FROM a
      LEFT JOIN dossier.dossier_retention r ON r.dossier_id = a.dossier_id
     CROSS JOIN LATERAL (VALUES (1, 'method', a.payload ->> 'method'),
                                (2, 'retain_until', coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), ''))) x(ord, field, new)
     WHERE a.kind = 'destroy'
    UNION ALL
    -- the penalty as charged
    SELECT a.id, x.ord, x.field, ''::text, x.new
      FROM a
      JOIN dossier.penalties pe ON pe.id = a.penalty_id
      JOIN dossier.users u ON u.id = pe.user_id
     CROSS JOIN LATERAL (VALUES (1, 'penalty', 'P' || pe.id), (2, 'user', u.login), (3, 'rule', pe.rule_code),
                                (4, 'occurred', to_char(pe.occurred_on, 'YYYY-MM-DD')),
                                (5, 'amount', dossier.wire_money(pe.amount_fen))) x(ord, field, new)
     WHERE a.kind = 'waive';
END $$;

-- One request (APPROVAL SHOW), in field order.
CREATE OR REPLACE FUNCTION dossier.approval_details(p_approval bigint)
RETURNS TABLE (ord int, field text, old text, new text)
LANGUAGE sql STABLE AS $$
    SELECT x.ord, x.field, x.old, x.new FROM dossier.approval_details_of(ARRAY[p_approval]) x ORDER BY 1, 2
$$;

REVOKE ALL ON FUNCTION dossier.approval_details_of(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_details_of(bigint[]) TO dossier_app, dossier_bi;
