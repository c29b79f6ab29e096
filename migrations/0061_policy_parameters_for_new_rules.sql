-- Seed versions of the parameters the new loan, compensation and award rules read (policy.md §1,
-- §2, §3, §7). Forward-only: new rows, nothing edited.
insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by) values
    ('CN:COUNTER_GUARANTEE_REQUIRED:2020-01-01', 'COUNTER_GUARANTEE_REQUIRED', 'CN', '2020-01-01', null, 'BOOL', 'true', 'policy.md §3 [A]: enterprise loans and personal loans above the threshold need a counter-guarantee (default: required)', 'seed:0061'),
    ('CN:SMALL_MICRO_STAFF_LIMIT:2020-01-01', 'SMALL_MICRO_STAFF_LIMIT', 'CN', '2020-01-01', null, 'INT', '300', '工信部联企业〔2011〕300号 (industry) [R]: fewer than 300 staff is small/micro; product default [A]', 'seed:0061'),
    ('CN:SMALL_MICRO_REVENUE_LIMIT:2020-01-01', 'SMALL_MICRO_REVENUE_LIMIT', 'CN', '2020-01-01', null, 'MONEY', '20000000.00', '工信部联企业〔2011〕300号 (industry) [R]: revenue below 2000万元 is small/micro; product default [A]', 'seed:0061'),
    ('CN:RISK_SHARE_GOVERNMENT_GUARANTOR_BP:2020-01-01', 'RISK_SHARE_GOVERNMENT_GUARANTOR_BP', 'CN', '2020-01-01', null, 'BASIS_POINTS', '8000', 'policy.md §1 [V] guarantor type 政银担; its share is a product default [A] until a text sets it', 'seed:0061'),
    ('CN-GD-GZ:AWARD_POOL_CAP_BP:2024-02-06', 'AWARD_POOL_CAP_BP', 'CN-GD-GZ', '2024-02-06', '2029-02-05', 'BASIS_POINTS', '100', '穗人社规字〔2024〕2号 [D]: 机构工作经费补助 ≤ 1% of the year''s new lending, in force 2024-02-06 for 5 years', 'seed:0061');
