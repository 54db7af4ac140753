-- approval_details_of (0082) initialises only the kinds a page holds
-- (issue 17). As one statement of nine UNION ALL branches, each carrying the
-- policies of the tables it reads, every call set up all nine: ~5 ms fixed
-- per call, paid by each APPROVAL SHOW (one id) and each page. Now the
-- requests' kinds are read first and each kind's query runs on its own, so a
-- page of loans sets up the loan query only. Same rows, same rights (the
-- caller's); the visibility test is approval_details_subjects, inlined into
-- each query.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- The requests of p_ids of kind p_kind the caller sees and whose details they
-- may read: their requester, or whoever may read what it is about.
CREATE FUNCTION dossier.approval_details_subjects(p_ids bigint[], p_kind text)
RETURNS SETOF dossier.approvals
LANGUAGE sql STABLE AS $$
    SELECT ap.* FROM dossier.approvals ap
     WHERE ap.id = ANY (p_ids) AND ap.kind = p_kind
       AND coalesce(ap.requester_id = dossier.actor_user_id()
                    OR CASE WHEN ap.kind = 'customer_edit'
                            THEN EXISTS (SELECT 1 FROM dossier.customer_details cd WHERE cd.customer_id = ap.customer_id)
                            WHEN ap.dossier_id IS NOT NULL
                            THEN EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = ap.dossier_id)
                            ELSE true END, false)
$$;

CREATE OR REPLACE FUNCTION dossier.approval_details_of(p_ids bigint[])
RETURNS TABLE (approval_id bigint, ord int, field text, old text, new text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
    k text;
BEGIN
    FOR k IN SELECT DISTINCT ap.kind FROM dossier.approvals ap WHERE ap.id = ANY (p_ids) LOOP
        CASE k
        WHEN 'edit' THEN
            RETURN QUERY
        -- dossier edits
        SELECT a.id, 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'title' THEN c.title WHEN 'location' THEN c.location
                                        WHEN 'level' THEN d.level WHEN 'scope' THEN d.scope END END, ''),
               ch.value
          FROM dossier.approval_details_subjects(p_ids, 'edit') a
         CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
          LEFT JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key;
        WHEN 'customer_edit' THEN
            RETURN QUERY
        -- customer edits
        SELECT a.id, 10, ch.key,
               coalesce(h.old_value,
                        CASE WHEN a.status = 'pending' THEN
                            CASE ch.key WHEN 'name' THEN cu.name WHEN 'owner' THEN ow.login
                                        WHEN 'credit_limit' THEN dossier.wire_money(cd.credit_limit_fen)
                                        ELSE to_jsonb(cd) ->> ch.key END END, ''),
               ch.value
          FROM dossier.approval_details_subjects(p_ids, 'customer_edit') a
         CROSS JOIN LATERAL jsonb_each_text(a.payload -> 'changes') ch
          LEFT JOIN dossier.customers cu ON cu.id = a.customer_id
          LEFT JOIN dossier.users ow ON ow.id = cu.owner_id
          LEFT JOIN dossier.customer_details cd ON cd.customer_id = a.customer_id
          LEFT JOIN dossier.change_history h ON h.approval_id = a.id AND h.field = ch.key;
        WHEN 'file' THEN
            RETURN QUERY
        -- what is filed
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'file') a
          JOIN dossier.dossier_contents c ON c.dossier_id = a.dossier_id
         CROSS JOIN LATERAL (VALUES
                (1, 'title', c.title),
                (2, 'items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id)::text),
                (3, 'unsigned_items', (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = a.dossier_id
                                          AND NOT (i.signed_customer AND i.signed_internal))::text)) x(ord, field, new);
        WHEN 'delete' THEN
            RETURN QUERY
        -- what the dossier is now
        SELECT a.id, 1, 'status'::text, d.status, 'deleted'::text
          FROM dossier.approval_details_subjects(p_ids, 'delete') a JOIN dossier.dossiers d ON d.id = a.dossier_id;
        WHEN 'loan' THEN
            RETURN QUERY
        -- mode, period, purpose (the period as wire_duration spells it, written
        -- out: a record-returning SQL function in FROM is planned at every call)
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'loan') a
          JOIN dossier.loans l ON l.id = a.loan_id
         CROSS JOIN LATERAL (SELECT extract(epoch FROM l.requested_duration)::bigint AS seconds) s
         CROSS JOIN LATERAL (VALUES (1, 'mode', l.mode),
                                    (2, CASE WHEN s.seconds % 86400 = 0 THEN 'days' ELSE 'hours' END,
                                        (CASE WHEN s.seconds % 86400 = 0 THEN s.seconds / 86400 ELSE s.seconds / 3600 END)::text),
                                    (3, 'purpose', l.purpose)) x(ord, field, new);
        WHEN 'extend' THEN
            RETURN QUERY
        -- The period asked for and the due time it moves (never past the level's
        -- longest loan counted from the due time it extends).
        SELECT a.id, x.ord, x.field, x.old, x.new
          FROM dossier.approval_details_subjects(p_ids, 'extend') a
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
                (3, 'mode', ''::text, l.mode)) x(ord, field, old, new);
        WHEN 'access' THEN
            RETURN QUERY
        -- hours and purpose
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'access') a
         CROSS JOIN LATERAL (VALUES (1, 'hours', a.payload ->> 'hours'), (2, 'purpose', a.payload ->> 'purpose')) x(ord, field, new);
        WHEN 'destroy' THEN
            RETURN QUERY
        -- the method and the retention that ran out
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'destroy') a
          LEFT JOIN dossier.dossier_retention r ON r.dossier_id = a.dossier_id
         CROSS JOIN LATERAL (VALUES (1, 'method', a.payload ->> 'method'),
                                    (2, 'retain_until', coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), ''))) x(ord, field, new);
        WHEN 'waive' THEN
            RETURN QUERY
        -- the penalty as charged
        SELECT a.id, x.ord, x.field, ''::text, x.new
          FROM dossier.approval_details_subjects(p_ids, 'waive') a
          JOIN dossier.penalties pe ON pe.id = a.penalty_id
          JOIN dossier.users u ON u.id = pe.user_id
         CROSS JOIN LATERAL (VALUES (1, 'penalty', 'P' || pe.id), (2, 'user', u.login), (3, 'rule', pe.rule_code),
                                    (4, 'occurred', to_char(pe.occurred_on, 'YYYY-MM-DD')),
                                    (5, 'amount', dossier.wire_money(pe.amount_fen))) x(ord, field, new);
        ELSE
            NULL;
        END CASE;
    END LOOP;
END $fn$;

REVOKE ALL ON FUNCTION dossier.approval_details_subjects(bigint[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.approval_details_subjects(bigint[], text) TO dossier_app, dossier_bi;
