using System.Text.Json.Nodes;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.Demo;

/// <summary>Compares what a device shows with what the server holds.</summary>
internal static class Convergence
{
    /// <summary>
    /// Answers whether <paramref name="device"/> holds exactly the live resources of <paramref name="server"/>, each with
    /// the same data (deep JSON equality) and, where the device knows it, the same version; and what differs.
    /// </summary>
    public static (bool Equal, string Detail) Compare(
        IReadOnlyDictionary<ResourceKey, ResourceState> server, IReadOnlyDictionary<ResourceKey, ResourceState> device)
    {
        var missing = server.Keys.Where(key => !device.ContainsKey(key)).ToList();
        var extra = device.Keys.Where(key => !server.ContainsKey(key)).ToList();
        var differ = new List<string>();
        foreach (var (key, state) in server)
        {
            if (device.TryGetValue(key, out var mine))
            {
                if (mine.Version is { } version && version != state.Version)
                {
                    differ.Add($"{key} (version {version}, server {state.Version})");
                }
                else if (!JsonNode.DeepEquals(mine.Data, state.Data))
                {
                    differ.Add($"{key} (data)");
                }
            }
        }

        if (missing.Count + extra.Count + differ.Count == 0)
        {
            return (true, $"{server.Count} resources equal");
        }

        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing ({string.Join(", ", missing.Take(2))})");
        }

        if (extra.Count > 0)
        {
            parts.Add($"{extra.Count} extra ({string.Join(", ", extra.Take(2))})");
        }

        if (differ.Count > 0)
        {
            parts.Add($"{differ.Count} differ ({string.Join(", ", differ.Take(2))})");
        }

        return (false, string.Join("; ", parts));
    }

    /// <summary>Reads every live resource straight from the server's store (the in-process server).</summary>
    public static async Task<IReadOnlyDictionary<ResourceKey, ResourceState>> ReadStoreAsync(ISyncServerStore store, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<ResourceKey, (long Version, JsonNode? Data, bool Deleted)>();
        long since = 0;
        while (true)
        {
            var page = await store.PullAsync(since, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var change in page.Changes)
            {
                latest[new ResourceKey(change.ResourceType, change.ResourceId)] = (change.Version, change.Data, change.Deleted);
            }

            since = page.Checkpoint;
            if (!page.HasMore)
            {
                break;
            }
        }

        return latest
            .Where(pair => !pair.Value.Deleted && pair.Value.Data is not null)
            .ToDictionary(pair => pair.Key, pair => new ResourceState(pair.Value.Version, pair.Value.Data!));
    }
}
