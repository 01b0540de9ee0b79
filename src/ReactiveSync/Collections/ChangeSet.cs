using System.Collections;

namespace ReactiveSync.Collections;

/// <summary>An immutable <see cref="IChangeSet{TObject, TKey}"/>, safe to share between subscribers and threads.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public sealed class ChangeSet<TObject, TKey> : IChangeSet<TObject, TKey>, IReadOnlyList<Change<TObject, TKey>>
    where TKey : notnull
{
    private readonly Change<TObject, TKey>[] _changes;

    /// <summary>Creates a change set holding <paramref name="changes"/> in the given order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is null.</exception>
    public ChangeSet(IEnumerable<Change<TObject, TKey>> changes)
        : this((changes ?? throw new ArgumentNullException(nameof(changes))).ToArray())
    {
    }

    // Takes ownership of the array: callers inside the library never touch it afterwards.
    internal ChangeSet(Change<TObject, TKey>[] changes)
    {
        _changes = changes;
        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add: Adds++; break;
                case ChangeReason.Update: Updates++; break;
                case ChangeReason.Remove: Removes++; break;
                case ChangeReason.Refresh: Refreshes++; break;
            }
        }
    }

    /// <summary>A change set without changes.</summary>
    public static ChangeSet<TObject, TKey> Empty { get; } = new(Array.Empty<Change<TObject, TKey>>());

    /// <inheritdoc/>
    public int Count => _changes.Length;

    /// <inheritdoc/>
    public int Adds { get; }

    /// <inheritdoc/>
    public int Updates { get; }

    /// <inheritdoc/>
    public int Removes { get; }

    /// <inheritdoc/>
    public int Refreshes { get; }

    /// <summary>The change at <paramref name="index"/>.</summary>
    public Change<TObject, TKey> this[int index] => _changes[index];

    /// <inheritdoc/>
    public IEnumerator<Change<TObject, TKey>> GetEnumerator() => ((IEnumerable<Change<TObject, TKey>>)_changes).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() =>
        $"ChangeSet: {Adds} added, {Updates} updated, {Removes} removed, {Refreshes} refreshed";
}
