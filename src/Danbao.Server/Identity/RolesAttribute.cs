using Danbao.Contracts.V1;

namespace Danbao.Server.Identity;

/// <summary>
/// The roles allowed to call an RPC, declared on its handler method. Every handler method of a
/// Danbao service must carry this attribute: the host refuses to start otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RolesAttribute(params Role[] roles) : Attribute
{
    public IReadOnlyList<Role> Roles { get; } = roles;
}

