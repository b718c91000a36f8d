-- meterhub store, PostgreSQL dialect, version 18: the purpose of a read, and the settings each process ran with
-- (org.meterhub.engine.security). Same logical schema as db/sqlite/V17__audit_purpose_and_settings.sql.
--
-- Adding a column is not an UPDATE: the append-only trigger of V12 stays and still refuses changes to rows.
alter table audit add column if not exists purpose text not null default '';
comment on column audit.purpose is 'Why the data was read, as the reader stated it (query parameter purpose, header X-Purpose, --purpose); empty when none was given or required.';

create table if not exists settings_audit (
    id       bigint      generated always as identity primary key,
    at       timestamptz not null,
    actor    text        not null,
    kind     text        not null,
    file     text        not null,
    sha256   text        not null,
    key_hashes text      not null,
    changed  text        not null
);
comment on table settings_audit is 'Every settings file a process or command loaded: who, which file, its SHA-256 and one SHA-256 per top-level key, so the next load can say which top-level settings changed. Append-only.';
comment on column settings_audit.kind is 'Which settings: gateway, data-protection, deadlines, estimation, coverage.';
comment on column settings_audit.file is 'Absolute path of the file as the process saw it.';
comment on column settings_audit.key_hashes is 'One line per top-level key: key=SHA-256 of its value (canonical JSON).';
comment on column settings_audit.changed is 'Top-level keys added (+key), removed (-key) or changed (key) since the previous row of the same kind and file; * for the first.';
create index if not exists settings_audit_kind_file on settings_audit (kind, file, id);

drop trigger if exists settings_audit_append_only on settings_audit;
create trigger settings_audit_append_only before update or delete or truncate on settings_audit
    for each statement execute function meterhub_append_only();
