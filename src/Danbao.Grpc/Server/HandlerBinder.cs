using System.Reflection;
using Google.Protobuf.Reflection;

namespace Danbao.Grpc;

/// <summary>
/// Binds each rpc of a protobuf service to the handler method of the same name, by signature
/// convention, once at start-up. Problems are collected, not thrown one by one, so a single
/// start-up failure lists every missing or mis-typed handler.
/// </summary>
internal static class HandlerBinder
{
    public static List<ServerMethod> Bind(ServiceDescriptor service, object handler, IReadOnlyCollection<string> unimplemented, List<string> problems)
    {
        var methods = new List<ServerMethod>();
        Type handlerType = handler.GetType();
        foreach (string name in unimplemented)
        {
            if (service.FindMethodByName(name) is null)
            {
                problems.Add($"{service.FullName}: '{name}' is listed as unimplemented but the service has no such method.");
            }
        }
        foreach (MethodDescriptor method in service.Methods)
        {
            if (unimplemented.Contains(method.Name))
            {
                methods.Add(new UnimplementedServerMethod(method));
                continue;
            }
            ServerMethod? bound = BindOne(method, handler, handlerType, problems);
            if (bound is not null)
            {
                methods.Add(bound);
            }
        }
        return methods;
    }

    private static ServerMethod? BindOne(MethodDescriptor method, object handler, Type handlerType, List<string> problems)
    {
        Type? request = method.InputType.ClrType;
        Type? response = method.OutputType.ClrType;
        if (request is null || response is null)
        {
            problems.Add($"{ServerMethod.PathOf(method)}: message types have no generated C# class.");
            return null;
        }
        (Type[] parameters, Type returns, Type open, Type delegateType) = Shape(method, request, response);
        MethodInfo? match = handlerType.GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameters);
        if (match is null || match.ReturnType != returns)
        {
            string expected = $"public {TypeName(returns)} {method.Name}({string.Join(", ", parameters.Select(TypeName))})";
            string[] found = handlerType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == method.Name)
                .Select(m => $"{TypeName(m.ReturnType)} {m.Name}({string.Join(", ", m.GetParameters().Select(p => TypeName(p.ParameterType)))})")
                .ToArray();
            string actual = found.Length == 0 ? "no method of that name" : "found " + string.Join("; ", found);
            problems.Add($"{ServerMethod.PathOf(method)}: {handlerType.Name} needs `{expected}` ({actual}).");
            return null;
        }
        Delegate invoker = Delegate.CreateDelegate(delegateType, handler, match);
        Type closed = open.MakeGenericType(request, response);
        return (ServerMethod)Activator.CreateInstance(closed, method, match, invoker)!;
    }

    private static (Type[] Parameters, Type Returns, Type Open, Type Delegate) Shape(MethodDescriptor method, Type request, Type response)
    {
        Type context = typeof(ServerCallContext);
        Type writer = typeof(IServerStreamWriter<>).MakeGenericType(response);
        Type reader = typeof(IAsyncStreamReader<>).MakeGenericType(request);
        Type taskOfResponse = typeof(Task<>).MakeGenericType(response);
        return (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => ([request, context], taskOfResponse, typeof(UnaryServerMethod<,>),
                typeof(Func<,,>).MakeGenericType(request, context, taskOfResponse)),
            (false, true) => ([request, writer, context], typeof(Task), typeof(ServerStreamingServerMethod<,>),
                typeof(Func<,,,>).MakeGenericType(request, writer, context, typeof(Task))),
            (true, false) => ([reader, context], taskOfResponse, typeof(ClientStreamingServerMethod<,>),
                typeof(Func<,,>).MakeGenericType(reader, context, taskOfResponse)),
            (true, true) => ([reader, writer, context], typeof(Task), typeof(DuplexServerMethod<,>),
                typeof(Func<,,,>).MakeGenericType(reader, writer, context, typeof(Task))),
        };
    }

    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
