-- The details of an approval (0030, 0037) computed for its own kind only
-- (issue 17). APPROVAL LIST calls dossier.approval_details once per listed
-- request; as one SQL statement over every kind, with the request's
-- visibility as EXISTS sub-queries planned without knowing the request, it
-- took milliseconds per row and read whole tables (the customers behind the
-- customer_details policy). Now: the request, its visibility, then the one
-- query of its kind, each planned once per session (plpgsql). Same rows, same
-- order, same rights (the caller's: the policies decide what is read).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE OR REPLACE FUNCTION dossier.approval_details(p_approval bigint)
RETURNS TABLE (ord int, field text, old text, new text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    a       dossier.approvals;
    visible boolean;
BEGIN
    SELECT ap.* INTO a FROM dossier.approvals ap WHERE ap.id = p_approval;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- Its requester, or whoever may read what it is about.
    visible := a.requester_id = dossier.actor_user_id()
        OR CASE WHEN a.kind = 'customer_edit'
                THEN EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = a.customer_id)
                WHEN a.dossier_id IS NOT NULL
                THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = a.dossier_id)
                ELSE true END;
    IF NOT coalesce(visible, false) THEN
        RETURN;
    END IF;
    CASE a.kind
    WHEN 'edit' THEN  -- dossier edits
        RETURN QUERY
        SELECT 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'title' THEN c.title WHEN 'location' THEN c.location
                                        WHEN 'level' THEN d.level WHEN 'scope' THEN d.scope END END, ''),
               ch.value
          FROM jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
          LEFT JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key
         ORDER BY 1, 2;
    WHEN 'customer_edit' THEN
        RETURN QUERY
        SELECT 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'name' THEN cu.name WHEN 'owner' THEN ow.login
                                        WHEN 'credit_limit' THEN dossier.wire_money(cd.credit_limit_fen)
                                        ELSE to_jsonb(cd) ->> ch.key END END, ''),
               ch.value
          FROM jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.customers cu ON cu.id = a.customer_id
          LEFT JOIN dossier.users ow ON ow.id = cu.owner_id
          LEFT JOIN dossier.customer_details cd ON cd.customer_id = a.customer_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key
         ORDER BY 1, 2;
    WHEN 'file' THEN  -- what is filed
        RETURN QUERY
        SELECT x.ord, x.field, ''::text, x.new
          FROM dossier.dossier_contents c
         CROSS JOIN LATERAL (VALUES
                (1, 'title', c.title),
                (2, 'items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id)::text),
                (3, 'unsigned_items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id
                                          AND NOT (i.signed_customer AND i.signed_internal))::text)) x(ord, field, new)
         WHERE c.dossier_id = a.dossier_id
         ORDER BY 1, 2;
    WHEN 'delete' THEN  -- what the dossier is now
        RETURN QUERY
        SELECT 1, 'status'::text, d.status, 'deleted'::text FROM dossier.dossiers d WHERE d.id = a.dossier_id;
    WHEN 'loan' THEN  -- mode, period, purpose
        RETURN QUERY
        SELECT x.ord, x.field, ''::text, x.new
          FROM dossier.loans l
         CROSS JOIN LATERAL dossier.wire_duration(extract(epoch FROM l.requested_duration)::bigint) p
         CROSS JOIN LATERAL (VALUES (1, 'mode', l.mode), (2, p.unit, p.amount::text), (3, 'purpose', l.purpose)) x(ord, field, new)
         WHERE l.id = a.loan_id
         ORDER BY 1, 2;
    WHEN 'extend' THEN
        -- The period asked for and the due time it moves (never past the
        -- level's longest loan counted from the due time it extends).
        RETURN QUERY
        SELECT x.ord, x.field, x.old, x.new
          FROM dossier.loans l
          JOIN dossier.dossiers d ON d.id = l.dossier_id
          JOIN dossier.loan_rules r ON r.level = d.level
         CROSS JOIN LATERAL dossier.wire_duration((a.payload ->> 'seconds')::bigint) p
         CROSS JOIN LATERAL (SELECT coalesce((a.payload ->> 'from')::timestamptz, l.due_at) AS due_from) f
         CROSS JOIN LATERAL (VALUES
                (1, p.unit, ''::text, p.amount::text),
                (2, 'due', dossier.wire_time(f.due_from),
                           dossier.wire_time(least(f.due_from + make_interval(secs => (a.payload ->> 'seconds')::bigint),
                                         f.due_from + coalesce(r.max_duration, interval '0')))),
                (3, 'mode', ''::text, l.mode)) x(ord, field, old, new)
         WHERE l.id = a.loan_id
         ORDER BY 1, 2;
    WHEN 'access' THEN  -- hours and purpose
        RETURN QUERY
        SELECT x.ord, x.field, ''::text, x.new
          FROM (VALUES (1, 'hours', a.payload ->> 'hours'), (2, 'purpose', a.payload ->> 'purpose')) x(ord, field, new)
         ORDER BY 1, 2;
    WHEN 'destroy' THEN  -- the method and the retention that ran out
        RETURN QUERY
        SELECT x.ord, x.field, ''::text, x.new
          FROM (SELECT 1) one
          LEFT JOIN dossier.dossier_retention r ON r.dossier_id = a.dossier_id
         CROSS JOIN LATERAL (VALUES (1, 'method', a.payload ->> 'method'),
                                    (2, 'retain_until', coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), ''))) x(ord, field, new)
         ORDER BY 1, 2;
    WHEN 'waive' THEN  -- the penalty as charged
        RETURN QUERY
        SELECT x.ord, x.field, ''::text, x.new
          FROM dossier.penalties pe
          JOIN dossier.users u ON u.id = pe.user_id
         CROSS JOIN LATERAL (VALUES (1, 'penalty', 'P' || pe.id), (2, 'user', u.login), (3, 'rule', pe.rule_code),
                                    (4, 'occurred', to_char(pe.occurred_on, 'YYYY-MM-DD')),
                                    (5, 'amount', dossier.wire_money(pe.amount_fen))) x(ord, field, new)
         WHERE pe.id = a.penalty_id
         ORDER BY 1, 2;
    ELSE
        RETURN;
    END CASE;
END $$;
