#!/usr/bin/env bash
# Reconciliation of one bank's statement, database side, at scale (issue 12): plants N loans'
# guarantees and releases in a fresh database (2 journal lines per loan on the bank's account:
# N = 550,000 → 1.1M journal lines; the ledger keeps their per-loan balances, migration 0065), then times what UploadBankStatement runs for a statement of
# every loan (COPY of the lines into the upload's table, the merge that writes the breaks, the
# first 1,000 breaks). Prints figures; asserts nothing. Usage: bench/reconcile_statement.sh PGPORT [N]
set -euo pipefail
port=${1:?PGPORT}; n=${2:-550000}; db=danbao_bench_reconcile
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
# REUSE=1 compares again in the database a previous run kept (KEEP=1), without planting.
if [ "${REUSE:-0}" != 1 ]; then
psql -qc "drop database if exists $db" -c "create database $db"
for f in "$(dirname "$0")"/../migrations/*.sql; do psql -q -1 -d $db -f "$f" >/dev/null; done
psql -q -d $db <<SQL
insert into institutions (id, display_name, role, region_code) values ('bench-bank', 'bench', 'BANK', 'CN-GD-GZ'), ('gz-fund', 'fund', 'FUND_OPERATOR', 'CN-GD-GZ') on conflict do nothing;
insert into ledger_accounts (code, type, institution) values ('bank:bench-bank:guaranteed_outstanding', 'asset', 'bench-bank'), ('fund:gz-fund:guarantees_outstanding', 'liability', 'gz-fund') on conflict do nothing;
SQL
start=$(date +%s.%N)
psql -q -d $db <<SQL
begin;
with t as (
  insert into ledger_transactions (kind, cause_type, cause_id, request_id, funding_source, policy_versions, business_date)
  select k, 'loan', 'L' || lpad(i::text, 20, '0'), 'bench-' || k || i, 'FINANCE_CAPITAL', '{}', case k when 'guarantee_issued' then date '2025-01-01' else date '2025-06-01' end
  from generate_series(1, $n) i, unnest(array['guarantee_issued', 'guarantee_released']) k
  returning id, kind)
insert into ledger_entries (transaction_id, account_id, side, amount_fen)
select t.id, a.id, s.side, case t.kind when 'guarantee_issued' then 20000000 else 5000000 end
from t
cross join lateral (values ('bank:bench-bank:guaranteed_outstanding', case t.kind when 'guarantee_issued' then 'D' else 'C' end),
                           ('fund:gz-fund:guarantees_outstanding', case t.kind when 'guarantee_issued' then 'C' else 'D' end)) s(code, side)
join ledger_accounts a on a.code = s.code;
commit;
SQL
echo "planted $((n * 2)) journal lines on the bank's account in $(echo "$(date +%s.%N) - $start" | bc) s"
else
psql -q -d $db -c "delete from bank_statement_breaks where statement_id = 'Sbench'" -c "delete from bank_statements where id = 'Sbench'"
fi
# The statement: every loan, one in 100 off by 1 fen, one in 1000 left out; as the server receives it.
seq 1 "$n" | awk '{ if ($1 % 1000 != 0) printf "L%020d\t%d\n", $1, ($1 % 100 == 0) ? 15000001 : 15000000 }' > /tmp/bench_statement.tsv
lines=$(wc -l < /tmp/bench_statement.tsv)
start=$(date +%s.%N)
psql -q -d $db <<SQL
begin;
create temp table statement_lines (loan_id text primary key, fen bigint not null) on commit drop;
\copy statement_lines from '/tmp/bench_statement.tsv'
insert into bank_statements (id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen)
values ('Sbench', 'bench-bank', '2025-12-31', $lines, 0, 0, 0, 0);
-- As FundStore.CompareStatementAsync: per-loan balances (ledger_cause_balances) less later postings, one merge join writing the breaks.
set local enable_hashjoin = off;
with acct as (
    select a.id, a.normal_side, sum(b.balance_fen)::bigint as balance_fen from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where a.code = 'bank:bench-bank:guaranteed_outstanding' group by a.id, a.normal_side),
later as (
    select t.cause_type, t.cause_id, case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end as fen
    from ledger_transactions t join ledger_entries e on e.transaction_id = t.id join acct a on a.id = e.account_id
    where t.business_date > '2025-12-31'),
later_by_loan as (select cause_id as loan_id, sum(fen)::bigint as fen from later where cause_type = 'loan' group by cause_id),
ours as (
    select b.cause_id as loan_id, b.balance_fen - coalesce(l.fen, 0) as fen
    from ledger_cause_balances b left join later_by_loan l on l.loan_id = b.cause_id
    where b.account_id = (select id from acct) and b.cause_type = 'loan'),
breaks as (
    insert into bank_statement_breaks (statement_id, loan_id, kind, ours_fen, theirs_fen)
    select 'Sbench', coalesce(o.loan_id, s.loan_id),
           case when o.fen is null then 'MISSING_HERE' when s.fen is null then 'MISSING_THERE' else 'AMOUNT_DIFFERS' end,
           coalesce(o.fen, 0), coalesce(s.fen, 0)
    from (select loan_id, fen from ours where fen <> 0) o full join statement_lines s on s.loan_id = o.loan_id
    where (o.fen is null and s.fen <> 0) or s.fen is null or o.fen <> s.fen
    returning theirs_fen),
counted as (select count(*)::int as breaks, count(*) filter (where theirs_fen <> 0)::int as with_theirs from breaks)
update bank_statements set loans_matched = (select count(*) from statement_lines where fen <> 0) - counted.with_theirs, breaks_count = counted.breaks,
    theirs_total_fen = (select coalesce(sum(fen), 0) from statement_lines),
    ours_total_fen = coalesce((select balance_fen from acct), 0) - coalesce((select sum(fen) from later), 0)
from counted where id = 'Sbench';
select loan_id from bank_statement_breaks where statement_id = 'Sbench' order by loan_id limit 1000 \g /dev/null
commit;
SQL
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
psql -Atd $db -c "select format('statement of %s lines against %s journal lines: %s matched, %s breaks', lines_received, $n * 2, loans_matched, breaks_count) from bank_statements where id = 'Sbench'"
echo "COPY + merge + breaks written + first 1000 read: ${elapsed} s"
[ "${KEEP:-0}" = 1 ] || psql -qc "drop database $db"
