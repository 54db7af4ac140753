-- DOSSIER LIST with a filter walks an index in id order (issue 17).
--
-- A page is `WHERE d.id > <cursor> AND <filters> ORDER BY d.id LIMIT n`. With
-- an owner, department, customer or status filter and only single-column
-- indexes, PostgreSQL either fetched every dossier of that owner (customer,
-- department: tens of thousands) and sorted them, or walked the primary key
-- and filtered, reading the whole register when the value is rare (status
-- `deleted`, a customer's five dossiers). Each index below has the id after
-- the filtered column, so the page is the next n entries of one index range.
-- They replace the single-column indexes, which they cover.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE INDEX dossiers_owner_id_idx ON dossiers (owner_id, id);
CREATE INDEX dossiers_dept_id_idx ON dossiers (dept_id, id);
CREATE INDEX dossiers_status_id_idx ON dossiers (status, id);
CREATE INDEX dossiers_register_customer_id_idx ON dossiers (register_customer_id, id);
DROP INDEX dossiers_owner_idx;
DROP INDEX dossiers_dept_idx;
DROP INDEX dossiers_status_idx;
DROP INDEX dossiers_register_customer_idx;
