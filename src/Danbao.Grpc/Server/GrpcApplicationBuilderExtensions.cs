using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc;

/// <summary>Wires the gRPC server into an ASP.NET Core pipeline.</summary>
public static class GrpcApplicationBuilderExtensions
{
    /// <summary>
    /// Builds <paramref name="registry"/> (failing start-up on any handler problem) and adds a
    /// middleware that serves gRPC requests; other requests pass to the rest of the pipeline.
    /// Returns the server so the host can publish <see cref="GrpcServer.Metrics"/>.
    /// </summary>
    public static GrpcServer UseGrpc(this IApplicationBuilder app, GrpcServiceRegistry registry, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(registry);
        GrpcServer server = registry.Build(options, app.ApplicationServices.GetService<ILoggerFactory>());
        app.Use(next => context => server.IsGrpcRequest(context) ? server.HandleAsync(context) : next(context));
        return server;
    }
}
