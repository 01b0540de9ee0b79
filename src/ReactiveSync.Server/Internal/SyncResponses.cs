using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using ReactiveSync.Server.Faults;
using ReactiveSync.Server.Protocol;

namespace ReactiveSync.Server.Internal;

/// <summary>Writes answers, honouring an injected abort: part of the body, a flush, then the connection is aborted.</summary>
internal static class SyncResponses
{
    private static readonly object FaultKey = new();

    public static void SetFault(HttpContext context, FaultDecision decision) => context.Items[FaultKey] = decision;

    public static FaultDecision? AbortFault(HttpContext context) =>
        context.Items.TryGetValue(FaultKey, out var value) && value is FaultDecision { Kind: FaultKind.Abort } decision ? decision : null;

    public static Task WriteJsonAsync<T>(HttpContext context, int statusCode, T value, JsonTypeInfo<T> typeInfo)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return WriteBodyAsync(context, body);
    }

    public static Task WriteErrorAsync(HttpContext context, int statusCode, ErrorKind kind, string message) =>
        WriteJsonAsync(context, statusCode, new ErrorResponse(new ErrorDetail(kind, message)), SyncJsonContext.Default.ErrorResponse);

    private static async Task WriteBodyAsync(HttpContext context, byte[] body)
    {
        if (AbortFault(context) is { } fault)
        {
            var cut = (int)fault.CutPoint(body.Length);
            await context.Response.Body.WriteAsync(body.AsMemory(0, cut), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
