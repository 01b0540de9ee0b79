using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ReactiveSync.IntegrationTests.Support;

/// <summary>Builds protocol requests as raw JSON and reads answers as JSON, so tests see the wire format itself.</summary>
public static class SyncWire
{
    /// <summary>One operation as on the wire.</summary>
    public static JsonObject Op(string type, string resourceType, string resourceId, long? baseVersion = null, JsonNode? data = null, Guid? id = null) => new()
    {
        ["id"] = (id ?? Guid.NewGuid()).ToString(),
        ["type"] = type,
        ["resourceType"] = resourceType,
        ["resourceId"] = resourceId,
        ["baseVersion"] = baseVersion,
        ["data"] = data?.DeepClone(),
        ["clientTimestamp"] = "2026-11-25T10:00:00+00:00",
        ["dependsOn"] = new JsonArray(),
    };

    /// <summary>A push body.</summary>
    public static JsonObject PushBody(string clientId, params JsonObject[] operations) => new()
    {
        ["clientId"] = clientId,
        ["operations"] = new JsonArray(operations.Select(o => (JsonNode)o.DeepClone()).ToArray()),
    };

    /// <summary>POSTs a push and answers the raw response.</summary>
    public static Task<HttpResponseMessage> PostPushAsync(HttpClient client, JsonNode body) =>
        client.PostAsync("sync/push", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>Pushes operations, asserts 200 and answers the results array.</summary>
    public static async Task<JsonArray> PushAsync(HttpClient client, string clientId, params JsonObject[] operations)
    {
        using var response = await PostPushAsync(client, PushBody(clientId, operations));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["results"]!.AsArray();
    }

    /// <summary>Pushes one operation and answers its result.</summary>
    public static async Task<JsonObject> PushOneAsync(HttpClient client, string clientId, JsonObject operation) =>
        (await PushAsync(client, clientId, operation))[0]!.AsObject();

    /// <summary>Pulls one page, asserts 200 and answers the body.</summary>
    public static async Task<JsonObject> PullAsync(HttpClient client, long since, int? limit = null)
    {
        var url = limit is null ? $"sync/pull?since={since}" : $"sync/pull?since={since}&limit={limit}";
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Reads an error body and answers its type.</summary>
    public static async Task<string?> ErrorTypeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)?["error"]?["type"]?.GetValue<string>();
    }

    /// <summary>The content path of a resource id, escaped.</summary>
    public static string ContentPath(string resourceId) => "sync/content/" + Uri.EscapeDataString(resourceId);

    /// <summary>PUTs bytes as the content of a resource.</summary>
    public static Task<HttpResponseMessage> PutContentAsync(HttpClient client, string resourceId, byte[] bytes, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PutAsync(ContentPath(resourceId), content);
    }
}
