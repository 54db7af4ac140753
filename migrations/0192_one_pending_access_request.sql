-- One pending access request per person and dossier. A second ACCESS REQUEST
-- for a dossier while the first still waits was accepted, and the manager saw
-- the same request twice (approving both made two grants). A loan has one
-- active request per dossier (loans_one_active_per_dossier), an extension one
-- per loan (approvals_one_pending_extension); an access request is now one per
-- requester and dossier, decided by this index across daemons (the daemon
-- says which request waits before it gets there: AccessGrants.request).
-- Requests already doubled are closed first, as 0030 closed the requests that
-- could no longer be carried out: each later duplicate is cancelled with its
-- reason (`A<n> asks for the same`, the earliest one) and an
-- `approval.cancel` audit row; the earliest stays pending.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

DO $$
DECLARE
    r record;
    v_audit bigint;
BEGIN
    FOR r IN
        SELECT a.id, first_value(a.id) OVER (PARTITION BY a.dossier_id, a.requester_id ORDER BY a.id) AS first
          FROM approvals a
         WHERE a.kind = 'access' AND a.status = 'pending'
         ORDER BY a.id
    LOOP
        CONTINUE WHEN r.id = r.first;
        UPDATE approvals SET status = 'cancelled', closed_reason = 'A' || r.first || ' asks for the same', decided_at = now()
         WHERE id = r.id;
        v_audit := audit('approval.cancel', 'A' || r.id, 'A' || r.first || ' asks for the same', 'access');
    END LOOP;
END $$;

CREATE UNIQUE INDEX approvals_one_pending_access ON approvals (dossier_id, requester_id)
    WHERE kind = 'access' AND status = 'pending';
