using System.Security.Cryptography;
using Dapper;
using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Idempotency;

/// <summary>
/// Exactly-once effects for retried requests. Claim the request id first thing in the
/// transaction that performs the effects, and complete it with the response bytes before
/// commit: a duplicate either waits on the unique index and then replays, or (if the first
/// attempt rolled back) becomes the new first attempt.
/// </summary>
/// <remarks>
/// Under REPEATABLE READ or SERIALIZABLE a duplicate that raced the first attempt fails with
/// 40001; <see cref="Database.InTransactionAsync{T}"/> retries it, and the retry replays.
/// </remarks>
public sealed class IdempotencyStore
{
    public const int RequestIdLengthMax = 200;

    private readonly DbSession? _session;

    /// <summary>The store on explicit connections (each method takes the connection and transaction).</summary>
    public IdempotencyStore()
    {
    }

    /// <summary>The store as a member of a write's session: <see cref="Claim"/> and <see cref="Complete"/> are queued.</summary>
    public IdempotencyStore(DbSession session) => _session = session;

    private DbSession Session => _session ?? throw new InvalidOperationException("This IdempotencyStore is not bound to a session.");

    /// <summary>
    /// Queues the claim of <paramref name="requestId"/>, to go with the write's first load. When the
    /// batch runs and the id was already claimed, <see cref="RequestAlreadyClaimedException"/> is thrown
    /// with the stored reply (a replay) or the mismatch: the effects must not run.
    /// </summary>
    public void Claim(string scope, string requestId, string method, byte[] requestHash)
    {
        Validate(scope, requestId);
        ArgumentException.ThrowIfNullOrEmpty(method);
        var session = Session;
        var cmd = new NpgsqlBatchCommand(
            """
            insert into idempotency_keys (scope, request_id, method, request_hash)
            values ($1, $2, $3, $4)
            on conflict (scope, request_id) do nothing
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = scope });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = method });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestHash });
        session.Queue(cmd, async inserted =>
        {
            if (inserted == 1)
            {
                return;
            }
            // A new statement, so a snapshot that sees the claim committed while this one waited on it.
            var claim = await ExistingAsync(session.Connection, session.Transaction!, scope, requestId, method, requestHash, session.CancellationToken);
            throw new RequestAlreadyClaimedException(claim);
        });
    }

    /// <summary>Queues the stored reply of this write's claim; checked when the batch runs.</summary>
    public void Complete(string scope, string requestId, byte[] response)
    {
        Validate(scope, requestId);
        ArgumentNullException.ThrowIfNull(response);
        var cmd = new NpgsqlBatchCommand(
            """
            update idempotency_keys set response = $3, completed_at = now()
            where scope = $1 and request_id = $2 and response is null
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = scope });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = response });
        Session.Queue(cmd, updated => updated == 1 ? Task.CompletedTask
            : throw new InvalidOperationException($"Request {scope}/{requestId} is not claimed by this transaction, or already completed."));
    }

    /// <summary>
    /// For a write that locks the row it changes first (a loan's): the request id's earlier use, read in
    /// the load batch AFTER the lock, so a duplicate that held the lock has committed and is seen. Its
    /// value is null for a new id; a replay or a mismatch throws <see cref="RequestAlreadyClaimedException"/>
    /// when the batch runs. The write then stores the id with its reply in one insert (<see cref="Store"/>)
    /// instead of a claim and a completion: one statement fewer, and no update of a row just inserted.
    /// Two first attempts that lock different rows both insert; the loser's unique violation on
    /// idempotency_keys_pkey is retried by the caller and then replays or mismatches.
    /// </summary>
    public Query<IdempotencyClaim?> Check(string scope, string requestId, string method, byte[] requestHash)
    {
        Validate(scope, requestId);
        ArgumentException.ThrowIfNullOrEmpty(method);
        var cmd = new NpgsqlBatchCommand("select method, request_hash, response from idempotency_keys where scope = $1 and request_id = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = scope });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId });
        return new Query<IdempotencyClaim?>(cmd, async (r, ct) =>
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }
            throw new RequestAlreadyClaimedException(Classify(scope, requestId, r.GetString(0), r.GetFieldValue<byte[]>(1),
                r.IsDBNull(2) ? null : r.GetFieldValue<byte[]>(2), method, requestHash));
        });
    }

    /// <summary>Queues the request id with its reply, for a write that <see cref="Check"/>ed it after its lock.</summary>
    public void Store(string scope, string requestId, string method, byte[] requestHash, byte[] response)
    {
        Validate(scope, requestId);
        ArgumentNullException.ThrowIfNull(response);
        var cmd = new NpgsqlBatchCommand(
            """
            insert into idempotency_keys (scope, request_id, method, request_hash, response, completed_at)
            values ($1, $2, $3, $4, $5, now())
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = scope });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = method });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestHash });
        cmd.Parameters.Add(new NpgsqlParameter { Value = response });
        Session.Queue(cmd);
    }

    /// <summary>True for the unique violation of a request id stored by a concurrent first attempt (see <see cref="Check"/>).</summary>
    public static bool IsConcurrentDuplicate(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "idempotency_keys_pkey" };

    /// <summary>SHA-256 of the canonical request bytes (e.g. the protobuf serialisation).</summary>
    public static byte[] Hash(ReadOnlySpan<byte> canonicalRequest) => SHA256.HashData(canonicalRequest);

    public async Task<IdempotencyClaim> ClaimAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string scope,
        string requestId,
        string method,
        byte[] requestHash,
        CancellationToken ct = default)
    {
        Validate(scope, requestId);
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (requestHash is not { Length: 32 })
        {
            throw new ArgumentException("requestHash must be a 32-byte SHA-256.", nameof(requestHash));
        }
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into idempotency_keys (scope, request_id, method, request_hash)
            values (@scope, @requestId, @method, @requestHash)
            on conflict (scope, request_id) do nothing
            """,
            new { scope, requestId, method, requestHash },
            transaction,
            cancellationToken: ct));
        if (inserted == 1)
        {
            return new IdempotencyClaim.New();
        }
        return await ExistingAsync(connection, transaction, scope, requestId, method, requestHash, ct);
    }

    private static async Task<IdempotencyClaim> ExistingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope,
        string requestId, string method, byte[] requestHash, CancellationToken ct)
    {
        var existing = await connection.QuerySingleAsync<(string Method, byte[] RequestHash, byte[]? Response)>(new CommandDefinition(
            "select method, request_hash, response from idempotency_keys where scope = @scope and request_id = @requestId",
            new { scope, requestId },
            transaction,
            cancellationToken: ct));
        return Classify(scope, requestId, existing.Method, existing.RequestHash, existing.Response, method, requestHash);
    }

    private static IdempotencyClaim Classify(string scope, string requestId, string existingMethod, byte[] existingHash, byte[]? response,
        string method, byte[] requestHash)
    {
        var sameMethod = string.Equals(existingMethod, method, StringComparison.Ordinal);
        if (!sameMethod || !existingHash.AsSpan().SequenceEqual(requestHash))
        {
            return new IdempotencyClaim.Mismatch(existingMethod, sameMethod);
        }
        if (response is null)
        {
            // Only reachable if a committed transaction claimed without completing: a caller bug.
            throw new InvalidOperationException(
                $"Request {scope}/{requestId} was claimed by a committed transaction that never completed it.");
        }
        return new IdempotencyClaim.Replay(response);
    }

    /// <summary>
    /// What a request id was used for, without claiming it: for a client-streamed request, whose hash is known
    /// only at the end of the stream (claim it then with <see cref="ClaimAsync"/>), so that a retry is
    /// recognised before its effects are attempted again. Null when the id is new.
    /// </summary>
    public async Task<(string Method, byte[] RequestHash, byte[]? Response)?> FindAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string scope,
        string requestId,
        CancellationToken ct = default)
    {
        Validate(scope, requestId);
        var rows = await connection.QueryAsync<(string Method, byte[] RequestHash, byte[]? Response)>(new CommandDefinition(
            "select method, request_hash, response from idempotency_keys where scope = @scope and request_id = @requestId",
            new { scope, requestId },
            transaction,
            cancellationToken: ct));
        return rows.Select(r => ((string, byte[], byte[]?)?)r).FirstOrDefault();
    }

    /// <summary><see cref="FindAsync(NpgsqlConnection, NpgsqlTransaction, string, string, CancellationToken)"/> in the session's transaction (its queued statements go first).</summary>
    public async Task<(string Method, byte[] RequestHash, byte[]? Response)?> FindAsync(string scope, string requestId)
    {
        var session = Session;
        await session.FlushAsync();
        return await FindAsync(session.Connection, session.Transaction!, scope, requestId, session.CancellationToken);
    }

    /// <summary>
    /// Claims the id now, in the session's transaction (its queued statements go first), for a write that learns its
    /// request's hash only at its end (a client stream); complete it with the queued <see cref="Complete"/>.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(string scope, string requestId, string method, byte[] requestHash)
    {
        var session = Session;
        await session.FlushAsync();
        return await ClaimAsync(session.Connection, session.Transaction!, scope, requestId, method, requestHash, session.CancellationToken);
    }

    /// <summary>Stores the response of a <see cref="IdempotencyClaim.New"/> claim; call before commit.</summary>
    public async Task CompleteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string scope,
        string requestId,
        byte[] response,
        CancellationToken ct = default)
    {
        Validate(scope, requestId);
        ArgumentNullException.ThrowIfNull(response);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            update idempotency_keys set response = @response, completed_at = now()
            where scope = @scope and request_id = @requestId and response is null
            """,
            new { scope, requestId, response },
            transaction,
            cancellationToken: ct));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Request {scope}/{requestId} is not claimed by this transaction, or already completed.");
        }
    }

    private static void Validate(string scope, string requestId)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (requestId.Length > RequestIdLengthMax || scope.Length > RequestIdLengthMax)
        {
            throw new ArgumentException($"scope and requestId are at most {RequestIdLengthMax} characters.");
        }
    }
}
