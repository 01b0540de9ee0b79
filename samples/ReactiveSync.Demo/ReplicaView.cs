using ReactiveSync.Model;

namespace ReactiveSync.Demo;

/// <summary>
/// A device's view as its app shows it: <see cref="SyncEngine.Resources"/>, the local replica with every operation the
/// server has not acknowledged applied on top. The ids come from the replica, page by page, for each resource type the
/// day uses or the server holds; each resource is then read through the local view.
/// </summary>
internal sealed class ReplicaView(SyncEngine engine, Func<IEnumerable<string>> types) : ILocalView
{
    private const int PageSize = 500;

    public string Description => "each device's local view (SyncEngine.Resources: its SQLite replica with unacknowledged operations on top)";

    public async Task<IReadOnlyDictionary<ResourceKey, ResourceState>> ReadAsync(CancellationToken cancellationToken)
    {
        var view = new Dictionary<ResourceKey, ResourceState>();
        var all = ResourceType.WellKnown.Select(t => t.Value).Concat(types()).Distinct(StringComparer.Ordinal);
        foreach (var typeName in all)
        {
            var type = ResourceType.From(typeName);
            string? after = null;
            while (true)
            {
                var page = await engine.Replica.Replica.GetPageAsync(type, after, PageSize, cancellationToken).ConfigureAwait(false);
                foreach (var row in page)
                {
                    var local = await engine.Resources.GetAsync(type, row.ResourceId, cancellationToken).ConfigureAwait(false);
                    if (local is not null)
                    {
                        view[ResourceKey.Of(type, row.ResourceId)] = new ResourceState(local.ServerVersion, local.Data);
                    }
                }

                if (page.Count < PageSize)
                {
                    break;
                }

                after = page[^1].ResourceId;
            }
        }

        return view;
    }
}
