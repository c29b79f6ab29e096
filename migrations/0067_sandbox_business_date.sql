-- A sandbox's business date, kept across restarts (docs/sandbox.md). One row; the date only moves
-- forward: the database refuses an earlier one and refuses to delete the row, so a restarted
-- sandbox (or a second instance on the same database) continues from the date it had reached.
-- A production server never writes it.

create table sandbox_business_date (
    id             boolean primary key default true check (id),
    business_date  date not null,
    updated_at     timestamptz not null default now()
);

create function sandbox_business_date_forward_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'the sandbox business date is never deleted' using errcode = 'P0001';
    end if;
    if new.business_date < old.business_date then
        raise exception 'the sandbox business date moves forward only: % is before %', new.business_date, old.business_date
            using errcode = 'P0001';
    end if;
    return new;
end;
$$;

create trigger sandbox_business_date_forward_only before update or delete on sandbox_business_date
    for each row execute function sandbox_business_date_forward_only();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert, update on sandbox_business_date to danbao_app;
    end if;
end;
$$;
