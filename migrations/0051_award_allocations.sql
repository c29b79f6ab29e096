-- Incentive awards (奖补, policy.md §7): the approved allocation of a region's year, at most the cap
-- (AWARD_POOL_CAP_BP of the year's new lending), posted to the ledger once. One per region and year.

create table award_allocations (
    region_code            text not null,
    year                   int not null check (year between 2000 and 2100),
    new_lending_fen        bigint not null check (new_lending_fen >= 0),
    cap_fen                bigint not null check (cap_fen >= 0),
    total_fen              bigint not null check (total_fen >= 0),
    approved_by            text not null references institutions (id),
    approved_date          date not null,
    ledger_transaction_id  bigint,
    policy_version_ids     text[] not null default '{}',
    created_at             timestamptz not null default now(),
    primary key (region_code, year),
    -- The cap is enforced here too, not only by the service.
    check (total_fen <= cap_fen)
);

create table award_allocation_lines (
    region_code            text not null,
    year                   int not null,
    institution_id         text not null references institutions (id),
    new_lending_fen        bigint not null check (new_lending_fen >= 0),
    score_bp               int not null check (score_bp between 0 and 10000),
    amount_fen             bigint not null check (amount_fen >= 0),
    primary key (region_code, year, institution_id),
    foreign key (region_code, year) references award_allocations (region_code, year)
);

create trigger award_allocations_append_only before update or delete on award_allocations
    for each row execute function refuse_mutation_of_append_only_table();
create trigger award_allocation_lines_append_only before update or delete on award_allocation_lines
    for each row execute function refuse_mutation_of_append_only_table();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert on award_allocations, award_allocation_lines to danbao_app;
    end if;
end;
$$;
