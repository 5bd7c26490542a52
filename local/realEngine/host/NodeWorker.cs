using System.Net;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RealEngineHost;

/// <summary>
/// Forwards an invocation to the Node bridge over loopback HTTP: POST /invoke/{name} with the
/// trigger value as JSON; 200 carries the return value's JSON, 500 carries {message, stack}.
///
/// Synchronous on purpose: the extension blocks on an out-of-process orchestrator's result
/// (TaskOrchestrationShim: <c>resultTask.Result</c>) on the orchestration's own scheduler, so an
/// await here could wait for a thread that is blocked waiting for it.
///
/// A Node failure becomes the exception the Functions host raises for a failed worker invocation
/// (its RpcException message: "Result: Failure\nException: …\nStack: …"): the extension reads the
/// orchestrator state after "$OutOfProcData$:" from it, and an activity's friendly message.
/// </summary>
public static class NodeWorker
{
    private static readonly HttpClient Http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
    {
        // An activity enumerates a whole policy type; the extension has its own timeouts.
        Timeout = TimeSpan.FromMinutes(30),
    };

    private static string baseUrl;

    public static void Configure(string bridgeUrl) => baseUrl = bridgeUrl.TrimEnd('/');

    public static IReadOnlyList<NodeFunction> ListFunctions()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/functions");
        using HttpResponseMessage response = Http.Send(request);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return JsonConvert.DeserializeObject<List<NodeFunction>>(reader.ReadToEnd());
    }

    public static string Orchestration(string name, string context) => Invoke(name, context);

    public static JObject Entity(string name, string batch) => JObject.Parse(Invoke(name, batch));

    public static JToken Activity(string name, JToken input)
    {
        string output = Invoke(name, input == null ? "null" : input.ToString(Formatting.None));
        return output.Length == 0 ? null : JToken.Parse(output);
    }

    private static string Invoke(string name, string triggerJson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/invoke/{Uri.EscapeDataString(name)}")
        {
            Content = new StringContent(triggerJson ?? "null", Encoding.UTF8, "application/json"),
        };
        using HttpResponseMessage response = Http.Send(request);
        using var reader = new StreamReader(response.Content.ReadAsStream());
        string body = reader.ReadToEnd();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return body;
        }

        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            var failure = JObject.Parse(body);
            throw new NodeInvocationException(
                $"Result: Failure\nException: {failure.Value<string>("message")}\nStack: {failure.Value<string>("stack")}");
        }

        throw new InvalidOperationException($"Node bridge answered {(int)response.StatusCode} for {name}: {body}");
    }
}

public sealed class NodeInvocationException : Exception
{
    public NodeInvocationException(string message)
        : base(message)
    {
    }
}
