using Refit;
using ReactiveSync.Http.Wire;

namespace ReactiveSync.Http;

/// <summary>
/// The sync protocol's routes as a Refit interface. Every method answers the raw response so the transport
/// classifies status codes, reads bodies itself (and reports malformed ones precisely), and streams content.
/// </summary>
internal interface ISyncApi
{
    [Post("/sync/push")]
    Task<HttpResponseMessage> PushAsync([Body] HttpContent body, CancellationToken cancellationToken);

    [Get("/sync/pull")]
    Task<HttpResponseMessage> PullAsync([AliasAs("since")] long? since, [AliasAs("limit")] int limit, CancellationToken cancellationToken);

    [Head("/sync/content/{resourceId}")]
    [Headers("Accept-Encoding: identity")]
    Task<HttpResponseMessage> HeadContentAsync(string resourceId, CancellationToken cancellationToken);

    [Get("/sync/content/{resourceId}")]
    [Headers("Accept-Encoding: identity")]
    Task<HttpResponseMessage> GetContentAsync(
        string resourceId,
        [Header("Range")] string? range,
        [Header("If-Range")] string? ifRange,
        CancellationToken cancellationToken);

    [Put("/sync/content/{resourceId}")]
    Task<HttpResponseMessage> PutContentAsync(string resourceId, [Body] HttpContent content, CancellationToken cancellationToken);
}
