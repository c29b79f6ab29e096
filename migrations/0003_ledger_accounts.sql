-- Ledger accounts of the guarantee fund. Codes read "<owner kind>:<institution>:<purpose>",
-- e.g. fund:GZ-FUND-1:capital, bank:ICBC-GZ:guaranteed_outstanding.
create table ledger_accounts (
    id           bigint generated always as identity primary key,
    code         text        not null unique check (code ~ '^[a-z_]+:[^:\s]+:[a-z0-9_]+$' and length(code) <= 200),
    type         text        not null check (type in ('asset', 'liability', 'equity', 'income', 'expense')),
    -- The side on which the account normally carries a balance: debit for assets and
    -- expenses, credit for the rest. Balances are reported on this side.
    normal_side  char(1)     not null generated always as
                     (case when type in ('asset', 'expense') then 'D' else 'C' end) stored,
    institution  text        not null check (length(institution) between 1 and 100),
    currency     char(3)     not null default 'CNY' check (currency = 'CNY'),
    opened_at    timestamptz not null default now()
);

create index ledger_accounts_institution on ledger_accounts (institution);
