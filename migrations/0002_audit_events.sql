-- Audit log: append-only record of who did what to which subject, with before/after images.
create table audit_events (
    id                 bigint generated always as identity primary key,
    subject_type       text        not null check (length(subject_type) between 1 and 100),
    subject_id         text        not null check (length(subject_id) between 1 and 200),
    action             text        not null check (length(action) between 1 and 100),
    actor_institution  text        not null,
    actor_role         text        not null,
    actor_key_id       text        null,
    occurred_at        timestamptz not null,
    business_date      date        null,
    request_id         text        null,
    before             jsonb       null,
    after              jsonb       null,
    detail             jsonb       null,
    recorded_at        timestamptz not null default now()
);

-- Keyset pagination by subject: WHERE subject = ... AND id > $after ORDER BY id LIMIT n.
create index audit_events_subject on audit_events (subject_type, subject_id, id);
create index audit_events_request on audit_events (request_id) where request_id is not null;

-- Append-only, enforced by the database. Production also REVOKEs UPDATE, DELETE and TRUNCATE
-- on this table from the application role; the triggers protect against the owner too.
create function refuse_mutation_of_append_only_table() returns trigger
language plpgsql as $$
begin
    raise exception using
        errcode = 'insufficient_privilege',
        message = format('%s on %s is refused: the table is append-only', tg_op, tg_table_name);
end;
$$;

create trigger audit_events_no_update_delete
    before update or delete on audit_events
    for each row execute function refuse_mutation_of_append_only_table();

create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function refuse_mutation_of_append_only_table();
