namespace ReactiveSync.Collections;

/// <summary>One change to a keyed collection: what happened (<see cref="Reason"/>) to which key, and the items involved.</summary>
/// <remarks>
/// Indexes are -1 unless the change set comes from <see cref="ObservableCacheEx.Sort{TObject, TKey}"/>. In a sorted change set
/// the changes are applied in order and each index refers to the list as left by the changes before it: an Add inserts at
/// <see cref="CurrentIndex"/>, a Remove removes at <see cref="CurrentIndex"/>, and an Update or Refresh moves the item from
/// <see cref="PreviousIndex"/> to <see cref="CurrentIndex"/> (the same index when it did not move).
/// </remarks>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public readonly record struct Change<TObject, TKey>
    where TKey : notnull
{
    /// <summary>Creates an Add, Remove or Refresh change (or an Update with <paramref name="previous"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">An Add with a previous value, or an Update without one.</exception>
    public Change(ChangeReason reason, TKey key, TObject current, Optional<TObject> previous = default, int currentIndex = -1, int previousIndex = -1)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        if (reason == ChangeReason.Add && previous.HasValue)
        {
            throw new ArgumentException("An Add change cannot have a previous value.", nameof(previous));
        }

        if (reason == ChangeReason.Update && !previous.HasValue)
        {
            throw new ArgumentException("An Update change needs the previous value.", nameof(previous));
        }

        Reason = reason;
        Key = key;
        Current = current;
        Previous = previous;
        CurrentIndex = currentIndex;
        PreviousIndex = previousIndex;
    }

    /// <summary>What happened.</summary>
    public ChangeReason Reason { get; }

    /// <summary>The key of the item.</summary>
    public TKey Key { get; }

    /// <summary>The item now held for the key; for a Remove, the item that was removed.</summary>
    public TObject Current { get; }

    /// <summary>For an Update, the item the key held before; empty otherwise.</summary>
    public Optional<TObject> Previous { get; }

    /// <summary>The position of <see cref="Current"/> in sorted order, or -1 when the change set is not sorted.</summary>
    public int CurrentIndex { get; }

    /// <summary>For an Update or Refresh in sorted order, the position the item had before; -1 otherwise.</summary>
    public int PreviousIndex { get; }
}
