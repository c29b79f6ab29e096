using System.Globalization;
using System.Net;
using Danbao.Grpc.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: Danbao.Bench.GrpcEcho [port]. grpc-dotnet with only TestService (no interceptors, no
// database): the floor under the real server's pipeline. Prints "listening <port>"; stops on SIGTERM.
var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50051;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
var app = builder.Build();
app.MapGrpcService<InteropTestService>();
await app.StartAsync();
Console.WriteLine($"listening {new Uri(app.Urls.First()).Port}");
await app.WaitForShutdownAsync();
