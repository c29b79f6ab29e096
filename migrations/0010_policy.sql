-- Policy as data (policy.md): versioned parameters, the 1-year LPR history and the official
-- working-day calendar, with the seed values of policy.md and calendar.md.
--
-- A parameter change is a new row, never an edit: loans keep the versions that governed them
-- (§10), so policy_versions and lpr_rates are append-only (triggers below; the function comes
-- from 0002_audit_events.sql). Rows are read by Danbao.Domain:
--   PolicyVersion.FromRow(id, parameter_key, region_code, effective_from, value, source)
--   parses value with PolicyValue.Parse(kind, text), where the kind comes from the C# catalog
--   PolicyParameters (value_kind here must agree; a domain test checks this file against it).
-- Value text by kind: MONEY yuan '300000.00' (no separators); BASIS_POINTS '50' or '172.5';
-- INT '36'; BOOL 'true'|'false'; ENUM an UPPER_SNAKE_CASE value such as 'CALENDAR_DAYS'.
--
-- Effective dates: national rules use their document's date (财金〔2020〕21号 2020-04-15,
-- 财金〔2023〕75号 2023-10-01). Values whose text gives no date (tags [D], [R], [A]) are shipped
-- from the product baseline 2020-01-01 and say so in their source; confirm before go-live.

create table policy_versions (
    id              text primary key,
    parameter_key   text not null check (parameter_key ~ '^[A-Z][A-Z0-9_]*$'),
    region_code     text not null check (region_code ~ '^CN(-[A-Z0-9]{2,4}){0,2}$'),
    effective_from  date not null,
    value_kind      text not null check (value_kind in ('MONEY', 'BASIS_POINTS', 'INT', 'BOOL', 'ENUM')),
    value           text not null check (value <> ''),
    source          text not null check (source <> ''),
    created_at      timestamptz not null default now(),
    created_by      text not null,
    unique (parameter_key, region_code, effective_from)
);

create trigger policy_versions_no_update_delete
    before update or delete on policy_versions
    for each row execute function refuse_mutation_of_append_only_table();

create trigger policy_versions_no_truncate
    before truncate on policy_versions
    for each statement execute function refuse_mutation_of_append_only_table();

-- 1-year loan prime rate (贷款市场报价利率), in force from effective_from until the next row.
create table lpr_rates (
    effective_from  date primary key,
    one_year_bp     numeric(8, 2) not null check (one_year_bp > 0 and one_year_bp < 10000),
    source          text not null,
    created_at      timestamptz not null default now(),
    created_by      text not null
);

create trigger lpr_rates_no_update_delete
    before update or delete on lpr_rates
    for each row execute function refuse_mutation_of_append_only_table();

create trigger lpr_rates_no_truncate
    before truncate on lpr_rates
    for each statement execute function refuse_mutation_of_append_only_table();

-- Official working-day calendar: one row per announced year; a year without a row has no table
-- and working-day computations reaching into it are refused. Days list only the exceptions to
-- "Monday–Friday work, weekends off". table_year is the table that announced the day
-- (2022-12-31 is announced in the 2023 table).
create table calendar_years (
    year       int primary key check (year between 2000 and 2100),
    source     text not null,
    loaded_at  timestamptz not null default now()
);

create table calendar_days (
    date        date primary key,
    kind        text not null check (kind in ('OFF', 'MAKEUP_WORK')),
    table_year  int not null references calendar_years (year)
);
create index calendar_days_by_table_year on calendar_days (table_year);

-- Seed: policy parameters. Columns: id, parameter_key, region_code, effective_from, value_kind, value, source.
-- id = region:key:effective_from, stable across environments so decisions can cite it.
insert into policy_versions (id, parameter_key, region_code, effective_from, value_kind, value, source, created_by) values
    ('CN:INDIVIDUAL_LOAN_CAP:2020-04-15', 'INDIVIDUAL_LOAN_CAP', 'CN', '2020-04-15', 'MONEY', '200000.00', '财金〔2020〕21号 [V]', 'seed:0010'),
    ('CN:INDIVIDUAL_LOAN_CAP:2023-10-01', 'INDIVIDUAL_LOAN_CAP', 'CN', '2023-10-01', 'MONEY', '300000.00', '财金〔2023〕75号 [V]', 'seed:0010'),
    ('CN:PARTNERSHIP_CAP_MULTIPLIER_BP:2020-04-15', 'PARTNERSHIP_CAP_MULTIPLIER_BP', 'CN', '2020-04-15', 'BASIS_POINTS', '11000', '财金〔2020〕21号 [V]: ≤110% of the partners'' individual caps', 'seed:0010'),
    ('CN:ENTERPRISE_LOAN_CAP:2020-04-15', 'ENTERPRISE_LOAN_CAP', 'CN', '2020-04-15', 'MONEY', '3000000.00', '财金〔2020〕21号 [V]', 'seed:0010'),
    ('CN:ENTERPRISE_LOAN_CAP:2023-10-01', 'ENTERPRISE_LOAN_CAP', 'CN', '2023-10-01', 'MONEY', '4000000.00', '财金〔2023〕75号 [V]', 'seed:0010'),
    ('CN:INDIVIDUAL_TERM_MAX_MONTHS:2020-04-15', 'INDIVIDUAL_TERM_MAX_MONTHS', 'CN', '2020-04-15', 'INT', '36', '财金〔2020〕21号 [V]: individual ≤ 3 years', 'seed:0010'),
    ('CN:ENTERPRISE_TERM_MAX_MONTHS:2020-04-15', 'ENTERPRISE_TERM_MAX_MONTHS', 'CN', '2020-04-15', 'INT', '24', '财金〔2020〕21号 [V]: enterprise ≤ 2 years', 'seed:0010'),
    ('CN:EXTENSION_COUNT_MAX:2020-01-01', 'EXTENSION_COUNT_MAX', 'CN', '2020-01-01', 'INT', '1', '粤府办〔2023〕13号 [D]: extension once; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:EXTENSION_MONTHS_MAX:2020-01-01', 'EXTENSION_MONTHS_MAX', 'CN', '2020-01-01', 'INT', '12', '粤府办〔2023〕13号 [D]: 原则上不超过1年; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:SUBSIDY_DURING_EXTENSION:2020-01-01', 'SUBSIDY_DURING_EXTENSION', 'CN', '2020-01-01', 'BOOL', 'false', 'policy.md §3 [A]: no subsidy during the extension by default', 'seed:0010'),
    ('CN:COUNTER_GUARANTEE_THRESHOLD:2020-01-01', 'COUNTER_GUARANTEE_THRESHOLD', 'CN', '2020-01-01', 'MONEY', '100000.00', '粤府办〔2023〕13号 [D]: 10万元及以下个人创业担保贷款免除反担保; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:APPLICANT_AGE_MAX_WOMEN:2020-01-01', 'APPLICANT_AGE_MAX_WOMEN', 'CN', '2020-01-01', 'INT', '55', '粤人社规〔2022〕25号 [V]; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:APPLICANT_AGE_MAX_MEN:2020-01-01', 'APPLICANT_AGE_MAX_MEN', 'CN', '2020-01-01', 'INT', '60', '粤人社规〔2022〕25号 [V]; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:CONSUMER_LOAN_THRESHOLD:2020-04-15', 'CONSUMER_LOAN_THRESHOLD', 'CN', '2020-04-15', 'MONEY', '50000.00', 'national text as commonly quoted [R]: consumer loans below 5万', 'seed:0010'),
    ('CN-GD:CONSUMER_LOAN_THRESHOLD:2022-01-01', 'CONSUMER_LOAN_THRESHOLD', 'CN-GD', '2022-01-01', 'MONEY', '100000.00', '粤人社规〔2022〕25号 [V]: 10万; effective date approximate (2022), confirm', 'seed:0010'),
    ('CN:SUBSIDISED_LOAN_COUNT_MAX:2020-04-15', 'SUBSIDISED_LOAN_COUNT_MAX', 'CN', '2020-04-15', 'INT', '3', 'national text as commonly quoted [R]: at most 3 subsidised loans', 'seed:0010'),
    ('CN:ENTERPRISE_HIRING_RATIO_BP:2020-01-01', 'ENTERPRISE_HIRING_RATIO_BP', 'CN', '2020-01-01', 'BASIS_POINTS', '1500', 'policy.md §2 [V] (Guangdong): new key-group hires ≥15% of staff; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:ENTERPRISE_HIRING_RATIO_LARGE_BP:2020-01-01', 'ENTERPRISE_HIRING_RATIO_LARGE_BP', 'CN', '2020-01-01', 'BASIS_POINTS', '800', 'policy.md §2 [V] (Guangdong): ≥8% above 100 staff; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:ENTERPRISE_LARGE_STAFF_THRESHOLD:2020-01-01', 'ENTERPRISE_LARGE_STAFF_THRESHOLD', 'CN', '2020-01-01', 'INT', '100', 'policy.md §2 [V] (Guangdong): above 100 staff; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN:REPORTING_DEADLINE_WORKING_DAYS:2020-01-01', 'REPORTING_DEADLINE_WORKING_DAYS', 'CN', '2020-01-01', 'INT', '10', 'policy.md §4 [V]: within 10 working days; baseline 2020-01-01', 'seed:0010'),
    ('CN-GD:PUBLICITY_LENGTH:2020-01-01', 'PUBLICITY_LENGTH', 'CN-GD', '2020-01-01', 'INT', '3', 'policy.md §4 [A]: product default 3 days for Guangdong', 'seed:0010'),
    ('CN-GD:PUBLICITY_UNIT:2020-01-01', 'PUBLICITY_UNIT', 'CN-GD', '2020-01-01', 'ENUM', 'CALENDAR_DAYS', 'policy.md §4 [A]: unit is a product decision', 'seed:0010'),
    ('CN-GD-JM:PUBLICITY_LENGTH:2024-07-26', 'PUBLICITY_LENGTH', 'CN-GD-JM', '2024-07-26', 'INT', '3', '江就办〔2024〕1号 [D]: 公示时间缩短为3天', 'seed:0010'),
    ('CN-GD-JM:PUBLICITY_UNIT:2024-07-26', 'PUBLICITY_UNIT', 'CN-GD-JM', '2024-07-26', 'ENUM', 'CALENDAR_DAYS', '江就办〔2024〕1号 [D]; calendar vs working days is an open question (§11), calendar days [A]', 'seed:0010'),
    ('CN-GD:RATE_SPREAD_BP:2020-04-15', 'RATE_SPREAD_BP', 'CN-GD', '2020-04-15', 'BASIS_POINTS', '50', '财金〔2020〕21号 [V]: eastern provinces incl. Guangdong LPR+50BP (central/western +150BP, former poverty counties +250BP)', 'seed:0010'),
    ('CN:SUBSIDY_FORMULA:2021-01-01', 'SUBSIDY_FORMULA', 'CN', '2021-01-01', 'ENUM', 'V2', '财金〔2020〕21号 [V]: loans disbursed 2021-01-01…2023-09-30', 'seed:0010'),
    ('CN:SUBSIDY_FORMULA:2023-10-01', 'SUBSIDY_FORMULA', 'CN', '2023-10-01', 'ENUM', 'V3', '财金〔2023〕75号 [V]: loans disbursed from 2023-10-01', 'seed:0010'),
    ('CN:SUBSIDY_V2_BORROWER_BELOW_LPR_BP:2021-01-01', 'SUBSIDY_V2_BORROWER_BELOW_LPR_BP', 'CN', '2021-01-01', 'BASIS_POINTS', '150', '财金〔2020〕21号 [V]: the borrower bears LPR−150BP', 'seed:0010'),
    ('CN:SUBSIDY_V3_SHARE_BP:2023-10-01', 'SUBSIDY_V3_SHARE_BP', 'CN', '2023-10-01', 'BASIS_POINTS', '5000', '财金〔2023〕75号 [V]: 50% of the contract rate', 'seed:0010'),
    ('CN:RISK_SHARE_FUND_BP:2020-01-01', 'RISK_SHARE_FUND_BP', 'CN', '2020-01-01', 'BASIS_POINTS', '8000', '粤府办〔2023〕13号 via 穗人社规字〔2024〕2号 [D]: fund 8 : bank 2; national product default from baseline 2020-01-01', 'seed:0010'),
    ('CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-01-01', 'RISK_SHARE_FUND_HK_MACAU_YOUTH_BP', 'CN-GD-GZ', '2024-01-01', 'BASIS_POINTS', '9000', '穗人社规字〔2024〕2号 [D]: 港澳青年 fund share 80%→90%; effective date approximate, confirm', 'seed:0010'),
    ('CN-GD-GZ:HK_MACAU_YOUTH_AGE_MAX:2024-01-01', 'HK_MACAU_YOUTH_AGE_MAX', 'CN-GD-GZ', '2024-01-01', 'INT', '45', 'policy.md §2 [V] (Guangzhou): HK/Macau youth aged ≤45; effective date approximate, confirm', 'seed:0010'),
    ('CN:CLAIM_OVERDUE_DAYS_MIN:2020-01-01', 'CLAIM_OVERDUE_DAYS_MIN', 'CN', '2020-01-01', 'INT', '90', 'policy.md §6 [V]: more than 90 days overdue; baseline 2020-01-01', 'seed:0010'),
    ('CN:COMPENSATION_BASE_MODE:2020-01-01', 'COMPENSATION_BASE_MODE', 'CN', '2020-01-01', 'ENUM', 'PRINCIPAL_AND_INTEREST', 'policy.md §6 [A]: principal plus unpaid normal interest, never penalty', 'seed:0010'),
    ('CN:WRITE_OFF_WAIT_MONTHS:2020-01-01', 'WRITE_OFF_WAIT_MONTHS', 'CN', '2020-01-01', 'INT', '24', 'policy.md §6 [A]: 2 years after compensation', 'seed:0010'),
    ('CN:LEVERAGE_MULTIPLE_MAX:2020-01-01', 'LEVERAGE_MULTIPLE_MAX', 'CN', '2020-01-01', 'INT', '5', 'policy.md §6 [V, older local rule]: k = 5', 'seed:0010'),
    ('CN:AWARD_POOL_CAP_BP:2020-01-01', 'AWARD_POOL_CAP_BP', 'CN', '2020-01-01', 'BASIS_POINTS', '100', 'policy.md §7 [D]: pool ≤ 1% of the year''s new lending', 'seed:0010');

-- Seed: 1-year LPR history (policy.md §5, [R]); the finance bureau appends later values via the API.
insert into lpr_rates (effective_from, one_year_bp, source, created_by) values
    ('2019-08-20', 425, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2019-09-20', 420, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2019-11-20', 415, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2020-02-20', 405, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2020-04-20', 385, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2021-12-20', 380, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2022-01-20', 370, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2022-08-22', 365, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2023-06-20', 355, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2023-08-21', 345, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2024-07-22', 335, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2024-10-21', 310, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010'),
    ('2025-05-20', 300, 'PBOC/NIFC 1Y LPR [R]', 'seed:0010');

-- Seed: official calendar tables 2023–2026 (calendar.md, [R]: confirm each year against the notice).
insert into calendar_years (year, source) values
    (2023, '国务院办公厅 2023 holiday notice, as in calendar.md [R]'),
    (2024, '国务院办公厅 2024 holiday notice, as in calendar.md [R]'),
    (2025, '国务院办公厅 2025 holiday notice, as in calendar.md [R]'),
    (2026, '国务院办公厅 2026 holiday notice, as in calendar.md [R]');

insert into calendar_days (date, kind, table_year) values
    ('2022-12-31', 'OFF', 2023),
    ('2023-01-01', 'OFF', 2023),
    ('2023-01-02', 'OFF', 2023),
    ('2023-01-21', 'OFF', 2023),
    ('2023-01-22', 'OFF', 2023),
    ('2023-01-23', 'OFF', 2023),
    ('2023-01-24', 'OFF', 2023),
    ('2023-01-25', 'OFF', 2023),
    ('2023-01-26', 'OFF', 2023),
    ('2023-01-27', 'OFF', 2023),
    ('2023-01-28', 'MAKEUP_WORK', 2023),
    ('2023-01-29', 'MAKEUP_WORK', 2023),
    ('2023-04-05', 'OFF', 2023),
    ('2023-04-23', 'MAKEUP_WORK', 2023),
    ('2023-04-29', 'OFF', 2023),
    ('2023-04-30', 'OFF', 2023),
    ('2023-05-01', 'OFF', 2023),
    ('2023-05-02', 'OFF', 2023),
    ('2023-05-03', 'OFF', 2023),
    ('2023-05-06', 'MAKEUP_WORK', 2023),
    ('2023-06-22', 'OFF', 2023),
    ('2023-06-23', 'OFF', 2023),
    ('2023-06-24', 'OFF', 2023),
    ('2023-06-25', 'MAKEUP_WORK', 2023),
    ('2023-09-29', 'OFF', 2023),
    ('2023-09-30', 'OFF', 2023),
    ('2023-10-01', 'OFF', 2023),
    ('2023-10-02', 'OFF', 2023),
    ('2023-10-03', 'OFF', 2023),
    ('2023-10-04', 'OFF', 2023),
    ('2023-10-05', 'OFF', 2023),
    ('2023-10-06', 'OFF', 2023),
    ('2023-10-07', 'MAKEUP_WORK', 2023),
    ('2023-10-08', 'MAKEUP_WORK', 2023),
    ('2024-01-01', 'OFF', 2024),
    ('2024-02-04', 'MAKEUP_WORK', 2024),
    ('2024-02-10', 'OFF', 2024),
    ('2024-02-11', 'OFF', 2024),
    ('2024-02-12', 'OFF', 2024),
    ('2024-02-13', 'OFF', 2024),
    ('2024-02-14', 'OFF', 2024),
    ('2024-02-15', 'OFF', 2024),
    ('2024-02-16', 'OFF', 2024),
    ('2024-02-17', 'OFF', 2024),
    ('2024-02-18', 'MAKEUP_WORK', 2024),
    ('2024-04-04', 'OFF', 2024),
    ('2024-04-05', 'OFF', 2024),
    ('2024-04-06', 'OFF', 2024),
    ('2024-04-07', 'MAKEUP_WORK', 2024),
    ('2024-04-28', 'MAKEUP_WORK', 2024),
    ('2024-05-01', 'OFF', 2024),
    ('2024-05-02', 'OFF', 2024),
    ('2024-05-03', 'OFF', 2024),
    ('2024-05-04', 'OFF', 2024),
    ('2024-05-05', 'OFF', 2024),
    ('2024-05-11', 'MAKEUP_WORK', 2024),
    ('2024-06-10', 'OFF', 2024),
    ('2024-09-14', 'MAKEUP_WORK', 2024),
    ('2024-09-15', 'OFF', 2024),
    ('2024-09-16', 'OFF', 2024),
    ('2024-09-17', 'OFF', 2024),
    ('2024-09-29', 'MAKEUP_WORK', 2024),
    ('2024-10-01', 'OFF', 2024),
    ('2024-10-02', 'OFF', 2024),
    ('2024-10-03', 'OFF', 2024),
    ('2024-10-04', 'OFF', 2024),
    ('2024-10-05', 'OFF', 2024),
    ('2024-10-06', 'OFF', 2024),
    ('2024-10-07', 'OFF', 2024),
    ('2024-10-12', 'MAKEUP_WORK', 2024),
    ('2025-01-01', 'OFF', 2025),
    ('2025-01-26', 'MAKEUP_WORK', 2025),
    ('2025-01-28', 'OFF', 2025),
    ('2025-01-29', 'OFF', 2025),
    ('2025-01-30', 'OFF', 2025),
    ('2025-01-31', 'OFF', 2025),
    ('2025-02-01', 'OFF', 2025),
    ('2025-02-02', 'OFF', 2025),
    ('2025-02-03', 'OFF', 2025),
    ('2025-02-04', 'OFF', 2025),
    ('2025-02-08', 'MAKEUP_WORK', 2025),
    ('2025-04-04', 'OFF', 2025),
    ('2025-04-05', 'OFF', 2025),
    ('2025-04-06', 'OFF', 2025),
    ('2025-04-27', 'MAKEUP_WORK', 2025),
    ('2025-05-01', 'OFF', 2025),
    ('2025-05-02', 'OFF', 2025),
    ('2025-05-03', 'OFF', 2025),
    ('2025-05-04', 'OFF', 2025),
    ('2025-05-05', 'OFF', 2025),
    ('2025-05-31', 'OFF', 2025),
    ('2025-06-01', 'OFF', 2025),
    ('2025-06-02', 'OFF', 2025),
    ('2025-09-28', 'MAKEUP_WORK', 2025),
    ('2025-10-01', 'OFF', 2025),
    ('2025-10-02', 'OFF', 2025),
    ('2025-10-03', 'OFF', 2025),
    ('2025-10-04', 'OFF', 2025),
    ('2025-10-05', 'OFF', 2025),
    ('2025-10-06', 'OFF', 2025),
    ('2025-10-07', 'OFF', 2025),
    ('2025-10-08', 'OFF', 2025),
    ('2025-10-11', 'MAKEUP_WORK', 2025),
    ('2026-01-01', 'OFF', 2026),
    ('2026-01-02', 'OFF', 2026),
    ('2026-01-03', 'OFF', 2026),
    ('2026-01-04', 'MAKEUP_WORK', 2026),
    ('2026-02-14', 'MAKEUP_WORK', 2026),
    ('2026-02-15', 'OFF', 2026),
    ('2026-02-16', 'OFF', 2026),
    ('2026-02-17', 'OFF', 2026),
    ('2026-02-18', 'OFF', 2026),
    ('2026-02-19', 'OFF', 2026),
    ('2026-02-20', 'OFF', 2026),
    ('2026-02-21', 'OFF', 2026),
    ('2026-02-22', 'OFF', 2026),
    ('2026-02-23', 'OFF', 2026),
    ('2026-02-28', 'MAKEUP_WORK', 2026),
    ('2026-04-04', 'OFF', 2026),
    ('2026-04-05', 'OFF', 2026),
    ('2026-04-06', 'OFF', 2026),
    ('2026-05-01', 'OFF', 2026),
    ('2026-05-02', 'OFF', 2026),
    ('2026-05-03', 'OFF', 2026),
    ('2026-05-04', 'OFF', 2026),
    ('2026-05-05', 'OFF', 2026),
    ('2026-05-09', 'MAKEUP_WORK', 2026),
    ('2026-06-19', 'OFF', 2026),
    ('2026-06-20', 'OFF', 2026),
    ('2026-06-21', 'OFF', 2026),
    ('2026-09-20', 'MAKEUP_WORK', 2026),
    ('2026-09-25', 'OFF', 2026),
    ('2026-09-26', 'OFF', 2026),
    ('2026-09-27', 'OFF', 2026),
    ('2026-10-01', 'OFF', 2026),
    ('2026-10-02', 'OFF', 2026),
    ('2026-10-03', 'OFF', 2026),
    ('2026-10-04', 'OFF', 2026),
    ('2026-10-05', 'OFF', 2026),
    ('2026-10-06', 'OFF', 2026),
    ('2026-10-07', 'OFF', 2026),
    ('2026-10-10', 'MAKEUP_WORK', 2026);
