-- Idempotency: one row per (scope, request_id), claimed inside the caller's transaction.
-- The primary key is the serialisation point: concurrent duplicates block on the unique index
-- (INSERT ... ON CONFLICT DO NOTHING) until the first commits or aborts, so there is no
-- check-then-insert race. `response` is written by the same transaction that did the effects,
-- so a committed row always carries the reply that a retry replays.
create table idempotency_keys (
    scope         text        not null check (length(scope) between 1 and 200),
    request_id    text        not null check (length(request_id) between 1 and 200),
    method        text        not null check (length(method) between 1 and 200),
    request_hash  bytea       not null check (octet_length(request_hash) = 32),  -- SHA-256
    response      bytea       null,
    created_at    timestamptz not null default now(),
    completed_at  timestamptz null,
    primary key (scope, request_id)
);

comment on table idempotency_keys is
    'Requests already executed, keyed by the caller''s scope and request id; replays return response.';
