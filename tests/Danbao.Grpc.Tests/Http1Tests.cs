using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Danbao.Grpc.Tests;

public sealed class Http1Tests
{
    [Fact]
    public async Task Grpc_over_http1_is_refused_with_426_instead_of_half_working()
    {
        // Http1AndHttp2 without TLS means HTTP/1.1 only: the mistake ListenH2c exists to prevent.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        await using WebApplication app = builder.Build();
        app.UseGrpc(Interop.InteropServer.AddTestService(new GrpcServiceRegistry()));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var http = new HttpClient();
        using var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using HttpResponseMessage response = await http.PostAsync(address + "/grpc.testing.TestService/EmptyCall", content);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        await app.StopAsync();
    }
}
