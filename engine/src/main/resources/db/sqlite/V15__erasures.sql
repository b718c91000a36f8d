-- Erasure requests of data subjects (engine.subject.AccountErasure): one attributed row per request,
-- so that a pseudonymised column is never changed without saying who asked, when, what and why.
-- The erased values themselves are not kept here (that would defeat the erasure).
create table if not exists erasures (
    erasure_id  integer primary key,
    account_id  text    not null,
    erased_at   integer not null,  -- epoch ms UTC
    erased_by   text    not null,
    reason      text    not null,  -- e.g. the customer's request reference
    pseudonymised text  not null,  -- table.column=count;... of what was replaced
    kept        text    not null   -- what was kept and the rule that keeps it
) strict;
create index if not exists erasures_account on erasures (account_id);
