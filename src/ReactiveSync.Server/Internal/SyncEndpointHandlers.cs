using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ReactiveSync.Server.Faults;
using ReactiveSync.Server.Protocol;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.Server.Internal;

/// <summary>The request handlers of the sync protocol; <c>/sync/*</c> handlers pass the fault gate and auth first.</summary>
internal sealed class SyncEndpointHandlers
{
    private const string ContentPrefix = "/sync/content/";
    private const int CopyBufferSize = 1 << 17;

    private readonly ReactiveSyncServerOptions _options;
    private readonly ISyncServerStore _store;
    private readonly SyncServerMetrics _metrics;
    private readonly TimeProvider _timeProvider;

    public SyncEndpointHandlers(ReactiveSyncServerOptions options, ISyncServerStore store, SyncServerMetrics metrics, TimeProvider timeProvider)
    {
        _options = options;
        _store = store;
        _metrics = metrics;
        _timeProvider = timeProvider;
    }

    public RequestDelegate Guarded(Func<HttpContext, Task> handler) => async context =>
    {
        if (await PassFaultsAsync(context).ConfigureAwait(false) && await PassAuthenticationAsync(context).ConfigureAwait(false))
        {
            await handler(context).ConfigureAwait(false);
        }
    };

    public Task HealthAsync(HttpContext context) =>
        SyncResponses.WriteJsonAsync(context, StatusCodes.Status200OK, new HealthResponse("ok"), SyncJsonContext.Default.HealthResponse);

    public async Task PushAsync(HttpContext context)
    {
        var limit = _options.MaxPushBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, "push body", limit).ConfigureAwait(false);
            return;
        }

        LiftServerBodyLimit(context);
        var body = await ReadBodyAsync(context.Request.Body, limit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await TooLargeAsync(context, "push body", limit).ConfigureAwait(false);
            return;
        }

        PushRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body.Value.Span, SyncJsonContext.Default.PushRequest);
        }
        catch (JsonException ex)
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, $"The push body is not valid: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (Describe(request) is { } problem)
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, problem).ConfigureAwait(false);
            return;
        }

        var results = await _store.PushAsync(request!.ClientId!, request.Operations!, _options.Validate, context.RequestAborted).ConfigureAwait(false);
        _metrics.AddPushRequest();
        foreach (var result in results)
        {
            _metrics.AddResult(result.Status);
        }

        await SyncResponses.WriteJsonAsync(context, StatusCodes.Status200OK, new PushResponse(results), SyncJsonContext.Default.PushResponse).ConfigureAwait(false);
    }

    public async Task PullAsync(HttpContext context)
    {
        var query = context.Request.Query;
        long since = 0;
        var limit = ReactiveSyncServerOptions.DefaultPullLimit;
        if (query.TryGetValue("since", out var sinceText) && !string.IsNullOrEmpty(sinceText)
            && (!long.TryParse(sinceText, NumberStyles.None, CultureInfo.InvariantCulture, out since) || since < 0))
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, "since must be a non-negative integer.").ConfigureAwait(false);
            return;
        }

        if (query.TryGetValue("limit", out var limitText) && !string.IsNullOrEmpty(limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, "limit must be a positive integer.").ConfigureAwait(false);
            return;
        }

        var page = await _store.PullAsync(since, Math.Min(limit, ReactiveSyncServerOptions.MaxPullLimit), context.RequestAborted).ConfigureAwait(false);
        _metrics.AddPullRequest();
        await SyncResponses.WriteJsonAsync(context, StatusCodes.Status200OK, page, SyncJsonContext.Default.PullResponse).ConfigureAwait(false);
    }

    public async Task GetContentAsync(HttpContext context)
    {
        var resourceId = ResourceIdOf(context);
        if (string.IsNullOrEmpty(resourceId))
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, "The resource id is missing.").ConfigureAwait(false);
            return;
        }

        var reader = await _store.OpenContentAsync(resourceId, context.RequestAborted).ConfigureAwait(false);
        if (reader is null)
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, ErrorKind.Validation, $"No content for resource '{resourceId}'.").ConfigureAwait(false);
            return;
        }

        await using (reader.ConfigureAwait(false))
        {
            var info = reader.Info;
            var response = context.Response;
            response.Headers.ETag = info.ETag;
            response.Headers.AcceptRanges = "bytes";
            response.Headers.LastModified = info.UpdatedAt.ToString("R", CultureInfo.InvariantCulture);
            response.ContentType = info.ContentType ?? "application/octet-stream";

            long start = 0;
            var length = info.Size;
            if (RangeApplies(context.Request, info.ETag) && ParseRange(context.Request.Headers.Range.ToString(), info.Size) is { } range)
            {
                if (range.Start < 0)
                {
                    response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                    response.Headers.ContentRange = $"bytes */{info.Size}";
                    response.ContentLength = 0;
                    return;
                }

                start = range.Start;
                length = range.End - range.Start + 1;
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{info.Size}";
            }
            else
            {
                response.StatusCode = StatusCodes.Status200OK;
            }

            response.ContentLength = length;
            if (HttpMethods.IsHead(context.Request.Method) || length == 0)
            {
                return;
            }

            reader.Content.Seek(start, SeekOrigin.Begin);
            await CopyContentAsync(context, reader.Content, length).ConfigureAwait(false);
        }
    }

    public async Task PutContentAsync(HttpContext context)
    {
        var resourceId = ResourceIdOf(context);
        if (string.IsNullOrEmpty(resourceId))
        {
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ErrorKind.Validation, "The resource id is missing.").ConfigureAwait(false);
            return;
        }

        var limit = _options.MaxContentBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, "content", limit).ConfigureAwait(false);
            return;
        }

        LiftServerBodyLimit(context);
        StoredContent stored;
        try
        {
            stored = await _store.PutContentAsync(resourceId, context.Request.Body, context.Request.ContentType, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ContentTooLargeException)
        {
            await TooLargeAsync(context, "content", limit).ConfigureAwait(false);
            return;
        }

        _metrics.AddContentReceived(stored.Size);
        await SyncResponses.WriteJsonAsync(
            context,
            StatusCodes.Status200OK,
            new ContentPutResponse(stored.ResourceId, stored.Size, stored.ETag),
            SyncJsonContext.Default.ContentPutResponse).ConfigureAwait(false);
    }

    /// <summary>The resource id from the raw request target, unescaped once, so escaped slashes and dots survive.</summary>
    internal static string? ResourceIdOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw))
        {
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            var path = query >= 0 ? raw[..query] : raw;
            var at = path.IndexOf(ContentPrefix, StringComparison.Ordinal);
            if (at >= 0)
            {
                return Uri.UnescapeDataString(path[(at + ContentPrefix.Length)..]);
            }
        }

        return context.Request.RouteValues["resourceId"] as string;
    }

    /// <summary>
    /// Parses a single <c>bytes=</c> range against <paramref name="size"/>: null when absent, malformed or multiple
    /// (then the whole file is sent), Start = -1 when not satisfiable.
    /// </summary>
    internal static (long Start, long End)? ParseRange(string header, long size)
    {
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            return suffix == 0 || size == 0 ? (-1, -1) : (Math.Max(0, size - suffix), size - 1);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        var end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return null;
            }

            end = Math.Min(end, size - 1);
        }

        return start >= size ? (-1, -1) : (start, end);
    }

    private static bool RangeApplies(HttpRequest request, string etag)
    {
        if (!request.Headers.ContainsKey("Range"))
        {
            return false;
        }

        // Only strong ETag validators are honoured; a date or another tag means the client's copy is stale: send it all.
        var ifRange = request.Headers.IfRange.ToString();
        return string.IsNullOrEmpty(ifRange) || string.Equals(ifRange.Trim(), etag, StringComparison.Ordinal);
    }

    private static void LiftServerBodyLimit(HttpContext context)
    {
        // The endpoint enforces its own limit while reading, with the protocol's 413 body.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }
    }

    /// <summary>The whole body, in the buffer it was read into (no copy); null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    private static string? Describe(PushRequest? request)
    {
        if (request is null)
        {
            return "The push body is empty.";
        }

        if (string.IsNullOrEmpty(request.ClientId))
        {
            return "clientId is required.";
        }

        if (request.Operations is null)
        {
            return "operations is required.";
        }

        for (var i = 0; i < request.Operations.Count; i++)
        {
            var op = request.Operations[i];
            if (op is null)
            {
                return $"operations[{i}] is null.";
            }

            if (op.Id == Guid.Empty)
            {
                return $"operations[{i}].id is required.";
            }

            if (string.IsNullOrEmpty(op.ResourceType))
            {
                return $"operations[{i}].resourceType is required.";
            }

            if (string.IsNullOrEmpty(op.ResourceId))
            {
                return $"operations[{i}].resourceId is required.";
            }
        }

        return null;
    }

    private Task TooLargeAsync(HttpContext context, string what, long limit) =>
        SyncResponses.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, ErrorKind.QuotaExceeded, $"The {what} is larger than the limit of {limit} bytes.");

    private async Task CopyContentAsync(HttpContext context, Stream source, long length)
    {
        var fault = SyncResponses.AbortFault(context);
        var toWrite = fault is null ? length : fault.CutPoint(length);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var output = context.Response.Body;
            while (toWrite > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, toWrite)), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await output.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                _metrics.AddContentServed(read);
                toWrite -= read;
            }

            if (fault is not null)
            {
                await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                context.Abort();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<bool> PassFaultsAsync(HttpContext context)
    {
        var faults = _options.Faults;
        if (!faults.IsEnabled)
        {
            return true;
        }

        var decision = faults.Next();
        if (decision.Delay > TimeSpan.Zero)
        {
            await Task.Delay(decision.Delay, _timeProvider, context.RequestAborted).ConfigureAwait(false);
        }

        switch (decision.Kind)
        {
            case FaultKind.None:
                return true;
            case FaultKind.Abort:
                _metrics.AddFault();
                SyncResponses.SetFault(context, decision);
                return true;
            case FaultKind.TooManyRequests:
                _metrics.AddFault();
                context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await SyncResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ErrorKind.Network, "Injected fault: too many requests.").ConfigureAwait(false);
                return false;
            case FaultKind.ServiceUnavailable:
                _metrics.AddFault();
                context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await SyncResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorKind.Network, "Injected fault: service unavailable.").ConfigureAwait(false);
                return false;
            default:
                _metrics.AddFault();
                await SyncResponses.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, ErrorKind.Network, "Injected fault: internal server error.").ConfigureAwait(false);
                return false;
        }
    }

    private async Task<bool> PassAuthenticationAsync(HttpContext context)
    {
        if (_options.TokenValidator is not { } validator)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        var token = header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : string.Empty;
        if (token.Length == 0)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, ErrorKind.Authentication, "A bearer token is required.").ConfigureAwait(false);
            return false;
        }

        if (!await validator(token, context.RequestAborted).ConfigureAwait(false))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await SyncResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, ErrorKind.Authentication, "The bearer token is not valid.").ConfigureAwait(false);
            return false;
        }

        return true;
    }
}
