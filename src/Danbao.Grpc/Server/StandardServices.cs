namespace Danbao.Grpc;

/// <summary>Registers the standard gRPC services (health, reflection) like any other service.</summary>
public static class StandardServices
{
    /// <summary>Adds grpc.health.v1.Health backed by <paramref name="provider"/>.</summary>
    public static GrpcServiceRegistry AddHealth(this GrpcServiceRegistry registry, IHealthStatusProvider provider, TimeSpan? watchPollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.AddService(global::Grpc.Health.V1.HealthReflection.Descriptor.Services[0], new HealthService(provider, watchPollInterval));
    }

    /// <summary>
    /// Adds grpc.reflection.v1 and v1alpha ServerReflection, describing every service registered
    /// (before or after this call) in <paramref name="registry"/>.
    /// </summary>
    public static GrpcServiceRegistry AddReflection(this GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var service = new ReflectionService(() => registry.Services);
        registry.AddService(global::Grpc.Reflection.V1.ReflectionReflection.Descriptor.Services[0], service);
        return registry.AddService(global::Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0], service.V1AlphaService);
    }
}
