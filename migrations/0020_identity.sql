-- Who may call: institutions (banks, fund operators, the employment service, the finance bureau,
-- administrators) and their credentials. API key secrets are stored only as SHA-256 hashes: the
-- secrets are 256-bit random, so a fast hash is as strong as a slow one and keeps auth cheap.

create table institutions (
    id            text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name  text not null,
    role          text not null check (role in ('BANK', 'FUND_OPERATOR', 'EMPLOYMENT_SERVICE', 'FINANCE_BUREAU', 'ADMIN')),
    region_code   text not null check (region_code ~ '^CN(-[A-Z]{2,3}){0,2}$'),
    created_at    timestamptz not null default now()
);

create table api_keys (
    id              text primary key check (id ~ '^[a-z0-9]{12}$'),
    institution_id  text not null references institutions (id),
    secret_sha256   bytea not null unique check (length(secret_sha256) = 32),
    description     text not null default '',
    created_at      timestamptz not null default now(),
    revoked_at      timestamptz
);
create index api_keys_by_institution on api_keys (institution_id);

-- mTLS: a client certificate identifies an institution by its SHA-256 thumbprint.
create table client_certificates (
    thumbprint_sha256  text primary key check (thumbprint_sha256 ~ '^[0-9A-F]{64}$'),
    institution_id     text not null references institutions (id),
    created_at         timestamptz not null default now(),
    revoked_at         timestamptz
);

-- A key can be revoked once and never un-revoked or re-pointed.
create function api_keys_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'api keys are never deleted; revoke them' using errcode = 'P0001';
    end if;
    if new.id <> old.id or new.institution_id <> old.institution_id or new.secret_sha256 <> old.secret_sha256
       or (old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at) then
        raise exception 'an api key can only be revoked, once' using errcode = 'P0001';
    end if;
    return new;
end $$;
create trigger api_keys_guard before update or delete on api_keys
    for each row execute function api_keys_guard();
