-- meterhub store, SQLite dialect, version 12: users, roles and tokens of the HTTP API and console
-- (org.meterhub.engine.security); the audit table becomes append-only.
--
-- Same logical schema as db/postgresql/V12__users_and_audit_guard.sql. Times are epoch ms UTC.
-- Limit: the triggers stop the application and anyone using the file through SQL, but whoever owns the
-- file can drop a trigger or edit the file; on a single box the audit is as safe as its file permissions.
create table if not exists users (
    name          text    primary key,
    role          text    not null check (role in ('viewer', 'operator', 'billing', 'admin')),
    password_hash text,
    created_at    integer not null,
    created_by    text    not null
) strict;

create table if not exists user_disabled (
    user_name   text    not null references users (name),
    disabled_at integer not null,
    disabled_by text    not null,
    reason      text    not null default '',
    primary key (user_name, disabled_at)
) strict;

create table if not exists user_tokens (
    token_hash text    primary key,
    user_name  text    not null references users (name),
    label      text    not null default '',
    created_at integer not null,
    created_by text    not null,
    expires_at integer
) strict;

create table if not exists user_token_revoked (
    token_hash text    primary key references user_tokens (token_hash),
    revoked_at integer not null,
    revoked_by text    not null
) strict;

create trigger if not exists audit_no_update before update on audit
begin
    select raise(abort, 'audit rows are append-only: write a new row instead');
end;

create trigger if not exists audit_no_delete before delete on audit
begin
    select raise(abort, 'audit rows are append-only: write a new row instead');
end;
