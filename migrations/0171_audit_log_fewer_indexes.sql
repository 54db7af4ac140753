-- One index fewer on the audit log (issue 17): every command writes an audit
-- row, and each index of audit_log is one more insert per command, for ever.
--
-- audit_log_about_dossier_idx (0020) is read by nothing: the read policies
-- look at a row's about_dossier after the row is found (by id, time, user,
-- department or target), `AUDIT LIST ref=` finds rows by their target (the
-- dossier's names, its approvals and loans: audit_target_names), and no
-- command, job or view looks rows up by the dossier they are about. Measured
-- on the latency benchmark's company after every daily verb had run
-- (pg_stat_user_indexes.idx_scan): 0 for this index, 36,100 for the target
-- index. Its keys are in random order, so at the log's size (20,000,000 rows
-- at SCALE=1) each insert touched a random leaf page of it: the note of
-- issue 17 on the log at scale names it with the target index as why the
-- insert's p99 grew. The column stays: the policies read it.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

DROP INDEX audit_log_about_dossier_idx;
