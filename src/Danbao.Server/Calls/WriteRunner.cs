using Danbao.Data;
using Danbao.Data.Audit;
using Danbao.Data.Idempotency;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Google.Protobuf;
using Google.Rpc;

namespace Danbao.Server.Calls;

/// <summary>
/// Runs a write RPC exactly once per request id: the id is claimed, the effects run and the reply
/// is stored, all in one transaction. A retry of the same request returns the stored reply; the
/// same id with a different request is refused (ALREADY_EXISTS, REQUEST_ID_REUSED). A refusal
/// rolls everything back, so bad input changes nothing.
/// </summary>
public sealed class WriteRunner(Database database, IdempotencyStore idempotency, AuditLog audit, TimeProvider clock)
{
    /// <param name="redactStored">Blanks what must not be kept at rest (a new key's secret): a replay then returns the redacted reply.</param>
    public async Task<TReply> RunAsync<TReply>(ServerCallContext context, string requestId, IMessage request,
        Func<WriteScope, Task<TReply>> effects, Func<TReply, TReply>? redactStored = null)
        where TReply : IMessage<TReply>, new()
    {
        var caller = context.Caller();
        var requestHash = IdempotencyStore.Hash(request.ToByteArray());
        var parser = new MessageParser<TReply>(() => new TReply());
        return await database.InTransactionAsync(async (conn, tx, ct) =>
        {
            var claim = await idempotency.ClaimAsync(conn, tx, caller.InstitutionId, requestId, context.Method, requestHash, ct);
            switch (claim)
            {
                case IdempotencyClaim.Replay replay:
                    return parser.ParseFrom(replay.Response);
                case IdempotencyClaim.Mismatch mismatch:
                    throw RequestIdReused(requestId, mismatch);
            }
            var scope = new WriteScope(conn, tx, caller, clock.GetUtcNow(), requestId, audit, ct);
            var reply = await effects(scope);
            var stored = redactStored is null ? reply : redactStored(reply.Clone());
            await idempotency.CompleteAsync(conn, tx, caller.InstitutionId, requestId, stored.ToByteArray(), ct);
            return reply;
        }, context.CancellationToken);
    }

    private static RpcException RequestIdReused(string requestId, IdempotencyClaim.Mismatch mismatch) =>
        RpcErrors.Build(StatusCode.AlreadyExists,
            mismatch.SameMethod
                ? $"request_id '{requestId}' was already used for a different request; use a new id for a new request"
                : $"request_id '{requestId}' was already used for {mismatch.ExistingMethod}; use a new id for a new request",
            new ErrorInfo { Reason = "REQUEST_ID_REUSED", Domain = RpcErrors.Domain, Metadata = { ["request_id"] = requestId } },
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request_id", Description = "already used for a different request" } } });
}
