using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Danbao.Proof.Tests.Support;

/// <summary>Calls any unary RPC by its protobuf descriptor (the security matrix walks every method of every service).</summary>
public static class UntypedCalls
{
    public static async Task<IMessage> UnaryAsync(GrpcChannel channel, MethodDescriptor rpc, IMessage request, string? key, TimeSpan timeout)
    {
        var method = new Method<IMessage, IMessage>(MethodType.Unary, rpc.Service.FullName, rpc.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => bytes.Length == 0 ? throw new InvalidOperationException("no request parser") : null!),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => rpc.OutputType.Parser.ParseFrom(bytes)));
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }
        return await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, DateTime.UtcNow + timeout), request);
    }
}
