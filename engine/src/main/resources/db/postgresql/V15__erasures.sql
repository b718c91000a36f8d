-- Erasure requests of data subjects (engine.subject.AccountErasure): one attributed row per request,
-- so that a pseudonymised column is never changed without saying who asked, when, what and why.
-- The erased values themselves are not kept here (that would defeat the erasure).
create table if not exists erasures (
    erasure_id    bigint      generated always as identity primary key,
    account_id    text        not null,
    erased_at     timestamptz not null,
    erased_by     text        not null,
    reason        text        not null,
    pseudonymised text        not null,
    kept          text        not null
);
create index if not exists erasures_account on erasures (account_id);
