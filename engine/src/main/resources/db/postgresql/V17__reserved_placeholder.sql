-- Placeholder on branch h/c-audit only: versions must be contiguous, and V16/V17 are assigned to other
-- branches. Drop this file (and its line in migrations.txt) at merge; it changes nothing.
select 1;
