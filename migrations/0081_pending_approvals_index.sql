-- APPROVAL LIST (the default, what waits for the caller) and TODO read the
-- pending approvals in id order: an index of only those, so that the listing
-- reads what is pending instead of walking every approval ever made (issue 17).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE INDEX approvals_pending_idx ON approvals (id) WHERE status = 'pending';
