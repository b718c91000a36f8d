-- meterhub store, PostgreSQL dialect, version 12: users, roles and tokens of the HTTP API and console
-- (org.meterhub.engine.security); the audit table becomes append-only.
--
-- Same logical schema as db/sqlite/V12__users_and_audit_guard.sql. Nothing here is edited in place:
-- a user is disabled by a row in user_disabled, a token revoked by a row in user_token_revoked.
create table if not exists users (
    name          text        primary key check (name ~ '^[a-z][a-z0-9._-]{1,63}$'),
    role          text        not null check (role in ('viewer', 'operator', 'billing', 'admin')),
    password_hash text,
    created_at    timestamptz not null,
    created_by    text        not null
);
comment on table users is 'People and services who may use the HTTP API and console. password_hash is an Argon2id PHC string, null for token-only users.';

create table if not exists user_disabled (
    user_name   text        not null references users (name),
    disabled_at timestamptz not null,
    disabled_by text        not null,
    reason      text        not null default '',
    primary key (user_name, disabled_at)
);
comment on table user_disabled is 'A user is disabled from the first row here on. Append-only.';

create table if not exists user_tokens (
    token_hash text        primary key,
    user_name  text        not null references users (name),
    label      text        not null default '',
    created_at timestamptz not null,
    created_by text        not null,
    expires_at timestamptz
);
comment on table user_tokens is 'API tokens: SHA-256 of the token (the token itself is shown once, never stored).';

create table if not exists user_token_revoked (
    token_hash text        not null references user_tokens (token_hash),
    revoked_at timestamptz not null,
    revoked_by text        not null,
    primary key (token_hash)
);

create or replace function meterhub_append_only() returns trigger language plpgsql as
'begin raise exception ''% rows are append-only: write a new row instead'', tg_table_name using errcode = ''42501''; end';

drop trigger if exists audit_append_only on audit;
create trigger audit_append_only before update or delete or truncate on audit
    for each statement execute function meterhub_append_only();
