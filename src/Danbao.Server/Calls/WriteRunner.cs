using Danbao.Data;
using Danbao.Data.Idempotency;
using Danbao.Data.Sessions;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Google.Protobuf;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;

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
public sealed class WriteRunner(Database database, GroupCommit groups, TimeProvider clock)
{
    /// <param name="redactStored">Blanks what must not be kept at rest (a new key's secret): a replay then returns the redacted reply.</param>
    /// <param name="claimWithLoad">The effects' first database access is a session read (the claim is checked before anything is decided).</param>
    /// <param name="checkAfterLock">
    /// The effects lock the row they change in their first load and read <see cref="WriteScope.RequestCheck"/>
    /// in the same batch after it (see <see cref="IdempotencyStore.Check"/>); the id is then stored with the
    /// reply in one insert. A concurrent first attempt's unique violation is retried once, and replays.
    /// </param>
    /// <param name="groupKey">
    /// Run in a shared transaction with other requests of the same kind (<see cref="GroupCommit"/>), in the lane of
    /// this key (the one row the effects lock). Only for effects that lock nothing else.
    /// </param>
    public async Task<TReply> RunAsync<TReply>(ServerCallContext context, string requestId, IMessage request,
        Func<WriteScope, Task<TReply>> effects, Func<TReply, TReply>? redactStored = null, bool claimWithLoad = false,
        bool checkAfterLock = false, string? groupKey = null)
        where TReply : IMessage<TReply>, new()
    {
        var caller = context.Caller();
        var requestHash = IdempotencyStore.Hash(request.ToByteArray());
        // The call's reads (a visibility check before the write) give their connection back first.
        if (context.GetHttpContext().RequestServices.GetService<ReadSession>() is { } reads)
        {
            await reads.ReleaseAsync();
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Func<DbSession, Task<TReply>> work = async session =>
                {
                    Query<IdempotencyClaim?>? check = null;
                    if (checkAfterLock)
                    {
                        check = session.Requests.Check(caller.InstitutionId, requestId, context.Method, requestHash);
                    }
                    else
                    {
                        session.Requests.Claim(caller.InstitutionId, requestId, context.Method, requestHash);
                        if (!claimWithLoad)
                        {
                            await session.FlushAsync();
                        }
                    }
                    var reply = await effects(new WriteScope(session, caller, clock.GetUtcNow(), requestId, check));
                    var stored = (redactStored is null ? reply : redactStored(reply.Clone())).ToByteArray();
                    if (check is not null)
                    {
                        _ = check.Value; // throws if the effects never read it: the id would go unchecked
                        session.Requests.Store(caller.InstitutionId, requestId, context.Method, requestHash, stored);
                    }
                    else
                    {
                        session.Requests.Complete(caller.InstitutionId, requestId, stored);
                    }
                    return reply;
                };
                return await (groupKey is null
                    ? database.InSessionAsync(work, context.CancellationToken)
                    : groups.RunAsync(groupKey, work, context.CancellationToken));
            }
            catch (Exception ex) when (checkAfterLock && attempt == 1 && IdempotencyStore.IsConcurrentDuplicate(ex))
            {
                // A first attempt with the same id committed while this one ran (it locked another row):
                // run again, and the check replays it or refuses the reuse.
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
    }

    private static RpcException RequestIdReused(string requestId, IdempotencyClaim.Mismatch mismatch) =>
        RpcErrors.Build(StatusCode.AlreadyExists,
            mismatch.SameMethod
                ? $"request_id '{requestId}' was already used for a different request; use a new id for a new request"
                : $"request_id '{requestId}' was already used for {mismatch.ExistingMethod}; use a new id for a new request",
            new ErrorInfo { Reason = "REQUEST_ID_REUSED", Domain = RpcErrors.Domain, Metadata = { ["request_id"] = requestId } },
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request_id", Description = "already used for a different request" } } });
}
