using Danbao.Data;
using Danbao.Data.Idempotency;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Google.Protobuf;
using Google.Rpc;

namespace Danbao.Server.Calls;

/// <summary>
/// Runs a write RPC exactly once per request id: the id is claimed, the effects run and the reply
/// is stored, all in one transaction of the request's <see cref="Data.Sessions.DbSession"/>. A retry of the same
/// request returns the stored reply; the same id with a different request is refused
/// (ALREADY_EXISTS, REQUEST_ID_REUSED). A refusal rolls everything back, so bad input changes nothing.
/// </summary>
/// <remarks>
/// Round trips: with <c>claimWithLoad</c> the claim waits in the session's queue and goes to
/// PostgreSQL in the same batch as the write's first load; the effects, the audit event and the
/// stored reply are queued and go as one batch before COMMIT. So a loan write is a load, a batch
/// and a commit. Without it (effects that still use the raw connection) the claim is sent first.
/// </remarks>
public sealed class WriteRunner(Database database, TimeProvider clock)
{
    /// <param name="redactStored">Blanks what must not be kept at rest (a new key's secret): a replay then returns the redacted reply.</param>
    /// <param name="claimWithLoad">The effects' first database access is a session read (the claim is checked before anything is decided).</param>
    public async Task<TReply> RunAsync<TReply>(ServerCallContext context, string requestId, IMessage request,
        Func<WriteScope, Task<TReply>> effects, Func<TReply, TReply>? redactStored = null, bool claimWithLoad = false)
        where TReply : IMessage<TReply>, new()
    {
        var caller = context.Caller();
        var requestHash = IdempotencyStore.Hash(request.ToByteArray());
        try
        {
            return await database.InSessionAsync(async session =>
            {
                session.Requests.Claim(caller.InstitutionId, requestId, context.Method, requestHash);
                if (!claimWithLoad)
                {
                    await session.FlushAsync();
                }
                var reply = await effects(new WriteScope(session, caller, clock.GetUtcNow(), requestId));
                var stored = redactStored is null ? reply : redactStored(reply.Clone());
                session.Requests.Complete(caller.InstitutionId, requestId, stored.ToByteArray());
                return reply;
            }, context.CancellationToken);
        }
        catch (RequestAlreadyClaimedException claimed)
        {
            return claimed.Claim switch
            {
                IdempotencyClaim.Replay replay => new MessageParser<TReply>(() => new TReply()).ParseFrom(replay.Response),
                IdempotencyClaim.Mismatch mismatch => throw RequestIdReused(requestId, mismatch),
                _ => throw new InvalidOperationException("A claimed request id is either a replay or a mismatch."),
            };
        }
    }

    private static RpcException RequestIdReused(string requestId, IdempotencyClaim.Mismatch mismatch) =>
        RpcErrors.Build(StatusCode.AlreadyExists,
            mismatch.SameMethod
                ? $"request_id '{requestId}' was already used for a different request; use a new id for a new request"
                : $"request_id '{requestId}' was already used for {mismatch.ExistingMethod}; use a new id for a new request",
            new ErrorInfo { Reason = "REQUEST_ID_REUSED", Domain = RpcErrors.Domain, Metadata = { ["request_id"] = requestId } },
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request_id", Description = "already used for a different request" } } });
}
