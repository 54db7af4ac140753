-- approval_obstacles (0095) joins a handful of requests to their requester,
-- loan, dossier and retention row, each by key. Since 0120 it keeps one
-- generic plan per session, and a generic plan guesses ten requests for
-- `= ANY ($1)`: enough for PostgreSQL to read every user into a hash table
-- (1,003 users at the full-size benchmark company) at every call, three
-- times per APPROVE (latency.sh: 3,115 rows of users read by sequential scan
-- per command). Without hash and merge joins every join is an index probe:
-- 0.39 -> 0.08 ms per call for one request, 0.37 -> 0.08 ms for a page of 50
-- (EXPLAIN ANALYZE of its statement, generic plan, 1,000,000 customers).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

ALTER FUNCTION approval_obstacles(bigint[]) SET enable_hashjoin = off;
ALTER FUNCTION approval_obstacles(bigint[]) SET enable_mergejoin = off;
