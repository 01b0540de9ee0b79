using System.Collections.Frozen;

namespace ReactiveSync.Model;

/// <summary>
/// How the engine syncs. Immutable; <see cref="Default"/> equals the seed's DEFAULT_CONFIG field for field,
/// and the fields the seed lacks have documented defaults. <see cref="Validate"/> runs when an engine is built.
/// </summary>
public sealed record SyncConfiguration
{
    /// <summary>The seed's priority weights: Low 1, Medium 2, High 4, Critical 8.</summary>
    public static IReadOnlyDictionary<SyncPriority, int> DefaultPriorityWeights { get; } =
        new Dictionary<SyncPriority, int>
        {
            [SyncPriority.Low] = 1,
            [SyncPriority.Medium] = 2,
            [SyncPriority.High] = 4,
            [SyncPriority.Critical] = 8,
        }.ToFrozenDictionary();

    /// <summary>The seed's per-type conflict strategies.</summary>
    public static IReadOnlyDictionary<ResourceType, ConflictResolutionStrategy> DefaultConflictResolution { get; } =
        new Dictionary<ResourceType, ConflictResolutionStrategy>
        {
            [ResourceType.Post] = ConflictResolutionStrategy.LastModifiedWins,
            [ResourceType.Comment] = ConflictResolutionStrategy.ClientWins,
            [ResourceType.Message] = ConflictResolutionStrategy.ClientWins,
            [ResourceType.Resource] = ConflictResolutionStrategy.ServerWins,
            [ResourceType.Community] = ConflictResolutionStrategy.ServerWins,
            [ResourceType.UserProfile] = ConflictResolutionStrategy.Merge,
            [ResourceType.MediaAttachment] = ConflictResolutionStrategy.ServerWins,
        }.ToFrozenDictionary();

    /// <summary>The seed's defaults. Declared after the default tables, which it reads.</summary>
    public static SyncConfiguration Default { get; } = new();

    /// <summary>Whether the engine syncs on its own (seed: <c>autoSyncEnabled</c>, true).</summary>
    public bool AutoSyncEnabled { get; init; } = true;

    /// <summary>How often the engine syncs while online (seed: <c>syncInterval</c>, 30 s).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retryable failures allowed per operation (seed: <c>maxRetries</c>, 3).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Growth of the retry delay per attempt (seed: <c>backoffMultiplier</c>, 2).</summary>
    public double BackoffMultiplier { get; init; } = 2;

    /// <summary>The first retry delay (seed: <c>initialRetryDelay</c>, 1 s).</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest retry delay, also the cap on a server's Retry-After (seed: <c>maxRetryDelay</c>, 5 min).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Operations per push (seed: <c>batchSize</c>, 10).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>Space for offline content, in megabytes (seed: <c>storageQuotaMB</c>, 100).</summary>
    public long StorageQuotaMB { get; init; } = 100;

    /// <summary>Share of each batch per priority (seed: <c>priorityWeights</c>, 1/2/4/8); every priority needs a weight of at least 1.</summary>
    public IReadOnlyDictionary<SyncPriority, int> PriorityWeights { get; init; } = DefaultPriorityWeights;

    /// <summary>Conflict strategy per resource type (seed: <c>conflictResolutionDefaults</c>).</summary>
    public IReadOnlyDictionary<ResourceType, ConflictResolutionStrategy> ConflictResolutionDefaults { get; init; } =
        DefaultConflictResolution;

    /// <summary>Strategy for resource types missing from <see cref="ConflictResolutionDefaults"/> (not in the seed): LastModifiedWins.</summary>
    public ConflictResolutionStrategy FallbackConflictResolution { get; init; } = ConflictResolutionStrategy.LastModifiedWins;

    /// <summary>Random spread added to each retry delay after the cap, as a fraction of it (not in the seed): 0.1.</summary>
    public double RetryJitter { get; init; } = 0.1;

    /// <summary>How long queue changes of Low and Medium priority are debounced before a sync (not in the seed): 500 ms.</summary>
    public TimeSpan QueueChangeDebounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest operation payload accepted, in bytes of UTF-8 JSON (not in the seed): 1 MiB.</summary>
    public int MaxOperationDataBytes { get; init; } = 1024 * 1024;

    /// <summary>Resource types whose pending operations are never folded together (not in the seed): none.</summary>
    public IReadOnlySet<ResourceType> CoalescingDisabledFor { get; init; } = FrozenSet<ResourceType>.Empty;

    /// <summary>Whether a sync pulls server changes into the replica after pushing (not in the seed): true.</summary>
    public bool PullEnabled { get; init; } = true;

    /// <summary>Changes per pull page (not in the seed): 500.</summary>
    public int PullPageSize { get; init; } = 500;

    /// <summary>A separate interval for pulls; null pulls with every sync (not in the seed).</summary>
    public TimeSpan? PullInterval { get; init; }

    /// <summary>Downloads running at once (not in the seed): 2.</summary>
    public int MaxConcurrentDownloads { get; init; } = 2;

    /// <summary>
    /// Pushes on the wire at once during a drain (not in the seed): 3, at most 8. Each holds different resources, and no
    /// operation in one depends on an operation in another, so per-resource order and dependencies hold at any value;
    /// 1 sends the next push only once the one before was answered.
    /// </summary>
    public int MaxPushesInFlight { get; init; } = 3;

    /// <summary>Downloads larger than this wait for Wi-Fi; null never waits (not in the seed).</summary>
    public long? WifiOnlyDownloadsAboveBytes { get; init; }

    /// <summary>Times a conflict that keeps recurring is resolved again before it is parked for the user (not in the seed): 3.</summary>
    public int MaxConflictRetries { get; init; } = 3;

    /// <summary>The quota in bytes.</summary>
    public long StorageQuotaBytes => StorageQuotaMB * 1024 * 1024;

    /// <summary>The strategy configured for a resource type.</summary>
    public ConflictResolutionStrategy StrategyFor(ResourceType resourceType) =>
        ConflictResolutionDefaults.TryGetValue(resourceType, out var strategy) ? strategy : FallbackConflictResolution;

    /// <summary>
    /// Checks every field and throws <see cref="SyncConfigurationException"/> naming the first invalid one and its value.
    /// </summary>
    public SyncConfiguration Validate()
    {
        Require(SyncInterval > TimeSpan.Zero, nameof(SyncInterval), SyncInterval, "must be positive");
        Require(MaxRetries >= 0, nameof(MaxRetries), MaxRetries, "must not be negative");
        Require(double.IsFinite(BackoffMultiplier) && BackoffMultiplier >= 1, nameof(BackoffMultiplier), BackoffMultiplier, "must be at least 1");
        Require(InitialRetryDelay >= TimeSpan.Zero, nameof(InitialRetryDelay), InitialRetryDelay, "must not be negative");
        Require(MaxRetryDelay >= InitialRetryDelay, nameof(MaxRetryDelay), MaxRetryDelay, $"must not be below InitialRetryDelay ({InitialRetryDelay})");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        Require(StorageQuotaMB >= 1, nameof(StorageQuotaMB), StorageQuotaMB, "must be at least 1");
        Require(PriorityWeights is not null, nameof(PriorityWeights), "null", "is required");
        foreach (var priority in Enum.GetValues<SyncPriority>())
        {
            Require(PriorityWeights!.ContainsKey(priority), nameof(PriorityWeights), priority, "has no weight for this priority");
            Require(PriorityWeights[priority] >= 1, nameof(PriorityWeights), $"{priority}={PriorityWeights[priority]}", "weights must be at least 1");
        }

        Require(ConflictResolutionDefaults is not null, nameof(ConflictResolutionDefaults), "null", "is required");
        foreach (var (type, strategy) in ConflictResolutionDefaults!)
        {
            Require(type.IsValid, nameof(ConflictResolutionDefaults), "default(ResourceType)", "holds an invalid resource type");
            Require(Enum.IsDefined(strategy), nameof(ConflictResolutionDefaults), $"{type}={strategy}", "holds an unknown strategy");
        }

        Require(Enum.IsDefined(FallbackConflictResolution), nameof(FallbackConflictResolution), FallbackConflictResolution, "is an unknown strategy");
        Require(double.IsFinite(RetryJitter) && RetryJitter is >= 0 and <= 1, nameof(RetryJitter), RetryJitter, "must be between 0 and 1");
        Require(QueueChangeDebounce >= TimeSpan.Zero, nameof(QueueChangeDebounce), QueueChangeDebounce, "must not be negative");
        Require(MaxOperationDataBytes >= 1, nameof(MaxOperationDataBytes), MaxOperationDataBytes, "must be at least 1");
        Require(CoalescingDisabledFor is not null, nameof(CoalescingDisabledFor), "null", "is required");
        Require(PullPageSize >= 1, nameof(PullPageSize), PullPageSize, "must be at least 1");
        Require(PullInterval is null || PullInterval > TimeSpan.Zero, nameof(PullInterval), PullInterval!, "must be positive when set");
        Require(MaxConcurrentDownloads >= 1, nameof(MaxConcurrentDownloads), MaxConcurrentDownloads, "must be at least 1");
        Require(WifiOnlyDownloadsAboveBytes is null || WifiOnlyDownloadsAboveBytes >= 0, nameof(WifiOnlyDownloadsAboveBytes), WifiOnlyDownloadsAboveBytes!, "must not be negative");
        Require(MaxPushesInFlight is >= 1 and <= 8, nameof(MaxPushesInFlight), MaxPushesInFlight, "must be between 1 and 8");
        Require(MaxConflictRetries >= 0, nameof(MaxConflictRetries), MaxConflictRetries, "must not be negative");
        return this;
    }

    private static void Require(bool condition, string field, object value, string rule)
    {
        if (!condition)
        {
            throw new SyncConfigurationException(field, value, rule);
        }
    }
}
