-- Rule governance for policy versions (policy.md §10, §11; issue 14): versions can end, can be
-- withdrawn before they take effect, and wrong seed rows are corrected by superseding them.
--
-- policy_versions stays append-only (0010's triggers): nothing here updates or deletes a row.
-- * effective_to: the last day a version is in force, INCLUSIVE (the last day of its source's
--   validity: 穗人社规字〔2024〕2号 runs 2024-02-06 … 2029-02-05); null = until replaced. After it the
--   next-older version of the same region still in force governs, else the parent region's
--   (Danbao.Domain PolicyResolver).
-- * policy_version_withdrawals: one row per version that must never govern, beside the version
--   and never an edit of it. WITHDRAWN = announced for the future and withdrawn before its
--   effective date (CST), with a reason; SUPERSEDED = replaced by a corrected row (replaced_by).
--   Decisions that already cite a superseded version keep citing it (§10: read back, never
--   resolved again).
-- * A corrected row may hold the same (parameter, region, date) as the row it supersedes, so the
--   unique constraint on that triple gives way to: at most one live (not withdrawn) version per
--   triple, checked at commit. Ids stay unique: the second row of a triple is "<id>:r2".
-- Rows load through PolicyVersion.FromRow(id, key, region, from, to, value, source, withdrawal).

alter table policy_versions
    add column effective_to date,
    add constraint policy_versions_effective_to_not_before_from
        check (effective_to is null or effective_to >= effective_from);

alter table policy_versions
    drop constraint policy_versions_parameter_key_region_code_effective_from_key;

create index policy_versions_by_key_region_date on policy_versions (parameter_key, region_code, effective_from);

create table policy_version_withdrawals (
    version_id    text primary key references policy_versions (id),
    kind          text not null check (kind in ('WITHDRAWN', 'SUPERSEDED')),
    reason        text not null check (btrim(reason) <> ''),
    replaced_by   text references policy_versions (id),
    withdrawn_at  timestamptz not null default now(),
    withdrawn_by  text not null,
    check ((kind = 'SUPERSEDED') = (replaced_by is not null)),
    check (replaced_by is distinct from version_id)
);

create trigger policy_version_withdrawals_no_update_delete
    before update or delete on policy_version_withdrawals
    for each row execute function refuse_mutation_of_append_only_table();

create trigger policy_version_withdrawals_no_truncate
    before truncate on policy_version_withdrawals
    for each statement execute function refuse_mutation_of_append_only_table();

-- A withdrawal comes before the version's effective date (China Standard Time): once in force it
-- may have governed a decision. Corrections (SUPERSEDED) are not bound by this.
create function policy_version_withdrawals_before_effective() returns trigger
language plpgsql as $$
declare
    from_date date;
begin
    if new.kind <> 'WITHDRAWN' then
        return new;
    end if;
    select effective_from into from_date from policy_versions where id = new.version_id;
    if (new.withdrawn_at at time zone 'Asia/Shanghai')::date >= from_date then
        raise exception using
            errcode = 'check_violation',
            message = format('policy version %s took effect on %s; it can no longer be withdrawn', new.version_id, from_date);
    end if;
    return new;
end;
$$;

create trigger policy_version_withdrawals_before_effective
    before insert on policy_version_withdrawals
    for each row execute function policy_version_withdrawals_before_effective();

-- At most one live version per (parameter, region, effective date), checked at commit so a
-- correction can insert its row and the withdrawal of the old one in the same transaction.
create function policy_versions_one_live_per_date() returns trigger
language plpgsql as $$
begin
    if (select count(*) from policy_versions v
        where v.parameter_key = new.parameter_key
          and v.region_code = new.region_code
          and v.effective_from = new.effective_from
          and not exists (select 1 from policy_version_withdrawals w where w.version_id = v.id)) > 1 then
        raise exception using
            errcode = 'unique_violation',
            message = format('two live versions of %s for %s from %s; withdraw or supersede one first',
                             new.parameter_key, new.region_code, new.effective_from);
    end if;
    return null;
end;
$$;

create constraint trigger policy_versions_one_live_per_date
    after insert on policy_versions
    deferrable initially deferred
    for each row execute function policy_versions_one_live_per_date();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert on policy_version_withdrawals to danbao_app;
    end if;
end;
$$;

-- Corrections of 0010's seed to the dates policy.md now gives (§3, §6). New rows, then the
-- supersession of the old ones, each with its reason.
insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by) values
    ('CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06', 'RISK_SHARE_FUND_HK_MACAU_YOUTH_BP', 'CN-GD-GZ', '2024-02-06', '2029-02-05', 'BASIS_POINTS', '9000', '穗人社规字〔2024〕2号 [D]: 港澳青年 fund share 80%→90% for guarantees signed 2024-02-06…2029-02-05 (in force from 2024-02-06, valid 5 years)', 'seed:0060'),
    ('CN-GD-GZ:RISK_SHARE_FUND_BP:2024-02-06', 'RISK_SHARE_FUND_BP', 'CN-GD-GZ', '2024-02-06', '2029-02-05', 'BASIS_POINTS', '8000', '穗人社规字〔2024〕2号 [D]: fund 80% : bank 20% (8:2), in force from 2024-02-06, valid 5 years', 'seed:0060'),
    ('CN:RISK_SHARE_FUND_BP:2020-01-01:r2', 'RISK_SHARE_FUND_BP', 'CN', '2020-01-01', null, 'BASIS_POINTS', '8000', 'policy.md §6 [A]: fund 8 : bank 2 is the product default outside Guangzhou and before 2024-02-06; baseline 2020-01-01', 'seed:0060'),
    ('CN-GD:COUNTER_GUARANTEE_THRESHOLD:2023-08-11', 'COUNTER_GUARANTEE_THRESHOLD', 'CN-GD', '2023-08-11', null, 'MONEY', '100000.00', '粤府办〔2023〕13号 [D]: 10万元及以下个人创业担保贷款免除反担保, from 2023-08-11', 'seed:0060'),
    ('CN:COUNTER_GUARANTEE_THRESHOLD:2020-01-01:r2', 'COUNTER_GUARANTEE_THRESHOLD', 'CN', '2020-01-01', null, 'MONEY', '0.00', 'policy.md §3 [A]: without 粤府办〔2023〕13号 a counter-guarantee is the fund''s own requirement, default required (no exemption: 0.00); baseline 2020-01-01', 'seed:0060');

insert into policy_version_withdrawals (version_id, kind, reason, replaced_by, withdrawn_by) values
    ('CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-01-01', 'SUPERSEDED', 'policy.md §6: 穗人社规字〔2024〕2号 is in force from 2024-02-06 to 2029-02-05, not from 2024-01-01; a guarantee signed 2024-01-15 is 8:2', 'CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06', 'seed:0060'),
    ('CN:RISK_SHARE_FUND_BP:2020-01-01', 'SUPERSEDED', 'policy.md §6: 8:2 is stated by 穗人社规字〔2024〕2号 for Guangzhou from 2024-02-06 only (now CN-GD-GZ:RISK_SHARE_FUND_BP:2024-02-06); 粤府办〔2023〕13号 only asks to improve risk sharing, so elsewhere and earlier 8:2 is a product default [A], not a cited rule', 'CN:RISK_SHARE_FUND_BP:2020-01-01:r2', 'seed:0060'),
    ('CN:COUNTER_GUARANTEE_THRESHOLD:2020-01-01', 'SUPERSEDED', 'policy.md §3: the 10万 exemption is 粤府办〔2023〕13号, a Guangdong text in force from 2023-08-11 (now CN-GD:COUNTER_GUARANTEE_THRESHOLD:2023-08-11); before it and elsewhere a counter-guarantee is required by default [A]', 'CN:COUNTER_GUARANTEE_THRESHOLD:2020-01-01:r2', 'seed:0060');
