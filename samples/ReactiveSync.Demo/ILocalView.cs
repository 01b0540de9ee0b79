namespace ReactiveSync.Demo;

/// <summary>How the demo reads what a device shows its user: every live resource, by key.</summary>
internal interface ILocalView
{
    /// <summary>Says in a few words where the view comes from, for the report.</summary>
    string Description { get; }

    /// <summary>Reads every live resource the device shows.</summary>
    Task<IReadOnlyDictionary<ResourceKey, ResourceState>> ReadAsync(CancellationToken cancellationToken);
}
