namespace ReactiveSync.IntegrationTests.Support;

/// <summary>A clock that stays at one instant until moved, so many changes share one timestamp.</summary>
public sealed class FixedTimeProvider : TimeProvider
{
    private long _ticks;

    /// <summary>Creates the clock at <paramref name="now"/>.</summary>
    public FixedTimeProvider(DateTimeOffset now) => _ticks = now.UtcTicks;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
