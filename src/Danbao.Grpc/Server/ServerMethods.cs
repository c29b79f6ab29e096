using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Danbao.Grpc;

/// <summary>A unary rpc bound to <c>Task&lt;TResponse&gt; M(TRequest, ServerCallContext)</c>.</summary>
internal sealed class UnaryServerMethod<TRequest, TResponse> : ServerMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TRequest, ServerCallContext, Task<TResponse>> _handler;

    public UnaryServerMethod(MethodDescriptor descriptor, MethodInfo handlerMethod, Delegate handler)
        : base(descriptor, handlerMethod) => _handler = (Func<TRequest, ServerCallContext, Task<TResponse>>)handler;

    public override async Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors)
    {
        TRequest request = await ReadSingleAsync<TRequest>(context, Descriptor.InputType.Parser).ConfigureAwait(false);
        TResponse? response;
        if (interceptors.Length == 0)
        {
            response = await _handler(request, context).ConfigureAwait(false);
        }
        else
        {
            response = null;
            await RunInterceptedAsync(context, interceptors, async () =>
                response = await _handler(request, context).ConfigureAwait(false)).ConfigureAwait(false);
        }
        ThrowIfDeadlineExceeded(context);
        if (response is null)
        {
            throw new InvalidOperationException($"Handler for {Path} returned a null response.");
        }
        context.EnsureResponseHeaders();
        MessageFrames.Write(context.HttpContext.Response.BodyWriter, response, context.CompressNextMessage, context.MaxSendBytes);
    }
}

/// <summary>A server-streaming rpc bound to <c>Task M(TRequest, IServerStreamWriter&lt;TResponse&gt;, ServerCallContext)</c>.</summary>
internal sealed class ServerStreamingServerMethod<TRequest, TResponse> : ServerMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> _handler;

    public ServerStreamingServerMethod(MethodDescriptor descriptor, MethodInfo handlerMethod, Delegate handler)
        : base(descriptor, handlerMethod) => _handler = (Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>)handler;

    public override async Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors)
    {
        TRequest request = await ReadSingleAsync<TRequest>(context, Descriptor.InputType.Parser).ConfigureAwait(false);
        var writer = new ServerStreamWriter<TResponse>(context);
        await RunInterceptedAsync(context, interceptors, () => _handler(request, writer, context)).ConfigureAwait(false);
        ThrowIfDeadlineExceeded(context);
    }
}

/// <summary>A client-streaming rpc bound to <c>Task&lt;TResponse&gt; M(IAsyncStreamReader&lt;TRequest&gt;, ServerCallContext)</c>.</summary>
internal sealed class ClientStreamingServerMethod<TRequest, TResponse> : ServerMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> _handler;

    public ClientStreamingServerMethod(MethodDescriptor descriptor, MethodInfo handlerMethod, Delegate handler)
        : base(descriptor, handlerMethod) => _handler = (Func<IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>)handler;

    public override async Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors)
    {
        var reader = new RequestStreamReader<TRequest>(context, Descriptor.InputType.Parser);
        TResponse? response = null;
        await RunInterceptedAsync(context, interceptors, async () =>
            response = await _handler(reader, context).ConfigureAwait(false)).ConfigureAwait(false);
        ThrowIfDeadlineExceeded(context);
        if (response is null)
        {
            throw new InvalidOperationException($"Handler for {Path} returned a null response.");
        }
        context.EnsureResponseHeaders();
        MessageFrames.Write(context.HttpContext.Response.BodyWriter, response, context.CompressNextMessage, context.MaxSendBytes);
    }
}

/// <summary>A bidi rpc bound to <c>Task M(IAsyncStreamReader&lt;TRequest&gt;, IServerStreamWriter&lt;TResponse&gt;, ServerCallContext)</c>.</summary>
internal sealed class DuplexServerMethod<TRequest, TResponse> : ServerMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _handler;

    public DuplexServerMethod(MethodDescriptor descriptor, MethodInfo handlerMethod, Delegate handler)
        : base(descriptor, handlerMethod) => _handler = (Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>)handler;

    public override async Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors)
    {
        var reader = new RequestStreamReader<TRequest>(context, Descriptor.InputType.Parser);
        var writer = new ServerStreamWriter<TResponse>(context);
        await RunInterceptedAsync(context, interceptors, () => _handler(reader, writer, context)).ConfigureAwait(false);
        ThrowIfDeadlineExceeded(context);
    }
}

/// <summary>An rpc the service declares but the handler deliberately leaves out: UNIMPLEMENTED.</summary>
internal sealed class UnimplementedServerMethod : ServerMethod
{
    public UnimplementedServerMethod(MethodDescriptor descriptor) : base(descriptor, null)
    {
    }

    public override Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors) =>
        throw new RpcException(StatusCode.Unimplemented, $"Method {Path} is not implemented.");
}
