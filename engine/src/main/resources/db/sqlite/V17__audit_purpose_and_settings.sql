-- meterhub store, SQLite dialect, version 18: the purpose of a read, and the settings each process ran with
-- (org.meterhub.engine.security). Same logical schema as db/postgresql/V17__audit_purpose_and_settings.sql
-- (see the comments there). Times are epoch ms UTC.
alter table audit add column purpose text not null default '';

create table if not exists settings_audit (
    id         integer primary key,
    at         integer not null,
    actor      text    not null,
    kind       text    not null,  -- gateway, data-protection, deadlines, estimation, coverage
    file       text    not null,  -- absolute path
    sha256     text    not null,  -- of the file's bytes
    key_hashes text    not null,  -- key=sha256 per top-level key, one a line
    changed    text    not null   -- +added,-removed,changed keys since the previous row of this kind and file; * first
) strict;
create index if not exists settings_audit_kind_file on settings_audit (kind, file, id);

create trigger if not exists settings_audit_no_update before update on settings_audit
begin
    select raise(abort, 'settings_audit rows are append-only: write a new row instead');
end;

create trigger if not exists settings_audit_no_delete before delete on settings_audit
begin
    select raise(abort, 'settings_audit rows are append-only: write a new row instead');
end;
