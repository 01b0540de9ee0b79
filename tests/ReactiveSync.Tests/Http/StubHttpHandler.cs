using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ReactiveSync.Tests.Http;

/// <summary>A request as the stub saw it, copied at send time (the message itself may be reused on a replay).</summary>
internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    string? Authorization,
    IReadOnlyDictionary<string, string> Headers,
    string? Body,
    string? ContentType);

/// <summary>An in-process HTTP handler answering with a function, recording every request; no sockets.</summary>
internal sealed class StubHttpHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> _respond;
    private readonly List<RecordedRequest> _requests = [];

    public StubHttpHandler(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public StubHttpHandler(Func<HttpRequestMessage, int, HttpResponseMessage> respond)
        : this((request, index, _) => Task.FromResult(respond(request, index)))
    {
    }

    public StubHttpHandler(Func<HttpRequestMessage, HttpResponseMessage> respond)
        : this((request, _) => respond(request))
    {
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, DateTimeOffset? date = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        response.Headers.Date = date;
        return response;
    }

    public static HttpResponseMessage Text(HttpStatusCode status, string text, string mediaType = "text/plain")
    {
        return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };
    }

    /// <summary>Waits for the token to be cancelled, then throws as a cancelled request does; continuations run inline.</summary>
    public static async Task<HttpResponseMessage> HangUntilCancelled(CancellationToken cancellationToken)
    {
        var never = new TaskCompletionSource<HttpResponseMessage>();
        await using var registration = cancellationToken.Register(() => never.TrySetCanceled(cancellationToken));
        return await never.Task;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        int index;
        lock (_requests)
        {
            _requests.Add(new RecordedRequest(
                request.Method,
                request.RequestUri!,
                request.Headers.Authorization?.ToString(),
                headers,
                body,
                request.Content?.Headers.ContentType?.ToString()));
            index = _requests.Count - 1;
        }

        var response = await _respond(request, index, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }
}

/// <summary>A token provider that records each call and answers from a function.</summary>
internal sealed class RecordingTokenProvider : ReactiveSync.Transport.IAccessTokenProvider
{
    private readonly Func<bool, int, ReactiveSync.Transport.AccessToken> _next;
    private readonly List<bool> _calls = [];

    public RecordingTokenProvider(Func<bool, int, ReactiveSync.Transport.AccessToken> next) => _next = next;

    public IReadOnlyList<bool> ForceRenewCalls => _calls;

    public IObservable<ReactiveSync.Transport.AccessToken> Renewed => System.Reactive.Linq.Observable.Never<ReactiveSync.Transport.AccessToken>();

    public ValueTask<ReactiveSync.Transport.AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken)
    {
        _calls.Add(forceRenew);
        return ValueTask.FromResult(_next(forceRenew, _calls.Count - 1));
    }
}
