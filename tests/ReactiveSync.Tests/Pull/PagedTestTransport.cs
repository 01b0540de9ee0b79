using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Pull;

/// <summary>
/// A transport serving a fixed change log by sequence, like the server's pull (latest state per resource per page),
/// recording every checkpoint asked from, and failing the pull call numbered <see cref="FailOnCall"/>.
/// </summary>
internal sealed class PagedTestTransport : ISyncTransport
{
    private readonly List<(long Sequence, ServerChange Change)> _log = [];

    public List<long?> AskedFrom { get; } = [];

    public int? FailOnCall { get; set; }

    public bool ClaimMoreWhenEmpty { get; set; }

    public int Calls { get; private set; }

    public TimeSpan ServerClockOffset => TimeSpan.Zero;

    public long LastSequence => _log.Count == 0 ? 0 : _log[^1].Sequence;

    public void Add(string resourceId, long version, JsonNode? data, DateTimeOffset at, ResourceType? type = null, bool deleted = false)
    {
        _log.Add((LastSequence + 1, new ServerChange
        {
            ResourceType = type ?? ResourceType.Post,
            ResourceId = resourceId,
            Version = version,
            Data = data,
            Deleted = deleted,
            UpdatedAt = at,
        }));
    }

    public Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
    {
        Calls++;
        AskedFrom.Add(checkpoint);
        if (Calls == FailOnCall)
        {
            throw new SyncException(SyncError.Of(SyncErrorType.Network, "connection reset"));
        }

        var since = checkpoint ?? 0;
        if (ClaimMoreWhenEmpty)
        {
            return Task.FromResult(new PullPage([], since, HasMore: true));
        }

        var page = _log.Where(e => e.Sequence > since).Take(limit).ToList();
        var hasMore = _log.Any(e => e.Sequence > since) && page.Count == limit && page[^1].Sequence < LastSequence;
        return Task.FromResult(new PullPage(page.Select(e => e.Change).ToList(), page.Count == 0 ? since : page[^1].Sequence, hasMore));
    }

    public Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
