using Grpc.Core;

namespace Danbao.Server.Identity;

/// <summary>The caller of the current call, as the auth interceptor established it.</summary>
public static class CallerContext
{
    public static Caller Caller(this ServerCallContext context) =>
        context.UserState.TryGetValue(typeof(Caller), out var value) && value is Caller caller
            ? caller
            : throw new InvalidOperationException("no authenticated caller: is the auth interceptor registered?");
}
