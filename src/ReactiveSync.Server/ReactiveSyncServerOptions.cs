using System.Collections.Concurrent;
using System.Collections.Immutable;
using ReactiveSync.Server.Faults;
using ReactiveSync.Server.Protocol;

namespace ReactiveSync.Server;

/// <summary>
/// Settings of the ReactiveSync server. One instance per server (a DI singleton); limits, validators, the token
/// validator and <see cref="Faults"/> may be changed while it runs and apply to the next request.
/// </summary>
public sealed class ReactiveSyncServerOptions
{
    /// <summary>The default limit of a push request body: 16 MiB.</summary>
    public const long DefaultMaxPushBodyBytes = 16L * 1024 * 1024;

    /// <summary>The default limit of one content upload: 1 GiB.</summary>
    public const long DefaultMaxContentBytes = 1024L * 1024 * 1024;

    /// <summary>The page size of a pull that names none.</summary>
    public const int DefaultPullLimit = 500;

    /// <summary>The largest page size a pull gets; larger limits are lowered to this.</summary>
    public const int MaxPullLimit = 5000;

    private readonly ConcurrentDictionary<string, ImmutableArray<Func<PushOperation, string?>>> _validators = new(StringComparer.Ordinal);
    private long _maxPushBodyBytes = DefaultMaxPushBodyBytes;
    private long _maxContentBytes = DefaultMaxContentBytes;

    /// <summary>
    /// The SQLite database file of the default store (<c>SqliteSyncServerStore</c>). Required unless an
    /// <c>ISyncServerStore</c> is registered in DI.
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>The folder content files live in; default <c>content</c> beside <see cref="DatabasePath"/>.</summary>
    public string? ContentRoot { get; set; }

    /// <summary>The largest push request body in bytes; larger ones are answered 413 (<c>quota_exceeded</c>). Default 16 MiB.</summary>
    public long MaxPushBodyBytes
    {
        get => Interlocked.Read(ref _maxPushBodyBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxPushBodyBytes));
            Interlocked.Exchange(ref _maxPushBodyBytes, value);
        }
    }

    /// <summary>The largest content upload in bytes; larger ones are answered 413 (<c>quota_exceeded</c>). Default 1 GiB.</summary>
    public long MaxContentBytes
    {
        get => Interlocked.Read(ref _maxContentBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxContentBytes));
            Interlocked.Exchange(ref _maxContentBytes, value);
        }
    }

    /// <summary>
    /// Checks the bearer token of every <c>/sync/*</c> request: true accepts it, false answers 401. When null (the
    /// default) every request is accepted, with or without a token: set it for anything but local tests.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<bool>>? TokenValidator { get; set; }

    /// <summary>The server clock (<c>updatedAt</c>, injected latency); when null, the DI <see cref="System.TimeProvider"/>, else the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Fault injection for tests; everything off by default.</summary>
    public FaultInjectionOptions Faults { get; } = new();

    /// <summary>
    /// Adds a validation hook for operations on <paramref name="resourceType"/>: it returns an error message to reject
    /// the operation (answered <c>rejected</c> with a validation error; the rest of the batch is still processed) or
    /// null to accept it. Hooks run in the order added; the first message wins. They run inside the store's write
    /// transaction, so keep them fast and free of I/O; one that throws fails the whole push with a 500.
    /// </summary>
    /// <param name="resourceType">The resource type the hook applies to (exact, case-sensitive).</param>
    /// <param name="validator">The hook.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceType"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="validator"/> is null.</exception>
    public ReactiveSyncServerOptions AddValidator(string resourceType, Func<PushOperation, string?> validator)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        ArgumentNullException.ThrowIfNull(validator);
        _validators.AddOrUpdate(resourceType, static (_, v) => [v], static (_, list, v) => list.Add(v), validator);
        return this;
    }

    /// <summary>Removes every validation hook of <paramref name="resourceType"/>.</summary>
    /// <param name="resourceType">The resource type.</param>
    /// <returns>These options, for chaining.</returns>
    public ReactiveSyncServerOptions ClearValidators(string resourceType)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        _validators.TryRemove(resourceType, out _);
        return this;
    }

    /// <summary>Runs the hooks of the operation's resource type; answers the first error message or null.</summary>
    internal string? Validate(PushOperation operation)
    {
        if (operation.ResourceType is null || !_validators.TryGetValue(operation.ResourceType, out var hooks))
        {
            return null;
        }

        foreach (var hook in hooks)
        {
            if (hook(operation) is { } message)
            {
                return message;
            }
        }

        return null;
    }
}
