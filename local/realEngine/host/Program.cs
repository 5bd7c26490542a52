using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace RealEngineHost;

/// <summary>
/// A WebJobs host with the Durable Task extension on the Azure Storage backend, hosting one
/// function per Durable function the Node app registers and forwarding each invocation to the
/// Node bridge (local/realEngine/bridge.ts), the way the Functions host forwards to the Node
/// worker. Prints one line `@@READY@@ {client binding JSON}` on stdout when the engine runs, and
/// stops when stdin closes (its parent went away) or on SIGTERM.
///
/// Settings (environment): REAL_ENGINE_BRIDGE_URL (required), AzureWebJobsStorage (required),
/// REAL_ENGINE_HUB (task hub name), REAL_ENGINE_WEBHOOK_ORIGIN (origin of the management URLs the
/// client binding carries), REAL_ENGINE_LOG_LEVEL (default Warning).
/// </summary>
public static class Program
{
    public static async Task<int> Main()
    {
        string bridgeUrl = Require("REAL_ENGINE_BRIDGE_URL");
        Require("AzureWebJobsStorage");
        string hub = Environment.GetEnvironmentVariable("REAL_ENGINE_HUB") ?? "RealEngineHub";
        string webhookOrigin = Environment.GetEnvironmentVariable("REAL_ENGINE_WEBHOOK_ORIGIN") ?? "http://127.0.0.1:7071";
        LogLevel level = Enum.TryParse(Environment.GetEnvironmentVariable("REAL_ENGINE_LOG_LEVEL"), true, out LogLevel parsed)
            ? parsed
            : LogLevel.Warning;

        NodeWorker.Configure(bridgeUrl);
        IReadOnlyList<NodeFunction> functions = NodeWorker.ListFunctions();
        Type emitted = FunctionEmitter.Emit(functions);

        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddEnvironmentVariables())
            .ConfigureLogging(l => l
                .SetMinimumLevel(level)
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            .ConfigureWebJobs(b => b.AddDurableTask(o =>
            {
                o.HubName = hub;
                // The Functions host enables this endpoint for Node apps (FUNCTIONS_WORKER_RUNTIME=node,
                // which the launcher also sets); durable-functions' client talks to it via rpcBaseUrl.
                o.LocalRpcEndpointEnabled = true;
                // Default 30 s: an idle control queue would sleep that long between polls; locally
                // every episode would wait for it.
                o.StorageProvider["maxQueuePollingInterval"] = "00:00:01";
                o.MaxConcurrentActivityFunctions = 16;
                o.MaxConcurrentOrchestratorFunctions = 16;
            }))
            .ConfigureServices(s =>
            {
                s.AddSingleton<ITypeLocator>(new FixedTypeLocator(emitted, typeof(ClientFunctions)));
                s.AddSingleton<IWebHookProvider>(new LoopbackWebHookProvider(webhookOrigin));
            })
            .UseConsoleLifetime()
            .Build();

        await host.StartAsync();
        var jobHost = host.Services.GetRequiredService<IJobHost>();
        await jobHost.CallAsync(nameof(ClientFunctions.RealEngineClientInfo));
        Console.Out.WriteLine("@@READY@@ " + ClientFunctions.Latest);
        Console.Out.Flush();

        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        _ = Task.Run(() =>
        {
            // The parent owns this process: when it goes away (stdin closes), stop.
            try
            {
                while (Console.In.Read() != -1) { }
            }
            catch (IOException) { }
            lifetime.StopApplication();
        });
        await host.WaitForShutdownAsync();
        return 0;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set");
}

/// <summary>Reads the client binding the way an out-of-process app receives it: as JSON text.</summary>
public static class ClientFunctions
{
    public static string Latest { get; private set; }

    [NoAutomaticTrigger]
    [FunctionName(nameof(RealEngineClientInfo))]
    public static void RealEngineClientInfo([DurableClient] string client) => Latest = client;
}

internal sealed class FixedTypeLocator : ITypeLocator
{
    private readonly IReadOnlyList<Type> types;

    public FixedTypeLocator(params Type[] types) => this.types = types;

    public IReadOnlyList<Type> GetTypes() => this.types;
}

/// <summary>The Functions host supplies the webhook origin; here it is the local host's.</summary>
internal sealed class LoopbackWebHookProvider : IWebHookProvider
{
    private readonly Uri url;

    public LoopbackWebHookProvider(string origin) => this.url = new Uri(origin.TrimEnd('/') + "/runtime/webhooks/durabletask");

    public Uri GetUrl(IExtensionConfigProvider extension) => this.url;
}

public sealed class NodeFunction
{
    [JsonProperty("name")]
    public string Name { get; set; }

    /// <summary>orchestrationTrigger, entityTrigger or activityTrigger (the Node registration's trigger type).</summary>
    [JsonProperty("trigger")]
    public string Trigger { get; set; }
}
