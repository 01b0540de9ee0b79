namespace ReactiveSync.Collections;

/// <summary>Edits a <see cref="SourceCache{TObject, TKey}"/> inside <see cref="SourceCache{TObject, TKey}.Edit"/>; every call is recorded in the edit's one change set.</summary>
/// <remarks>Valid only during the edit action it was passed to; using it afterwards throws <see cref="InvalidOperationException"/>.</remarks>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public interface ISourceUpdater<TObject, TKey>
    where TKey : notnull
{
    /// <summary>Adds the item, or replaces the item held for its key (an Update, even when it is the same item).</summary>
    void AddOrUpdate(TObject item);

    /// <summary>Adds or updates each item in order.</summary>
    void AddOrUpdate(IEnumerable<TObject> items);

    /// <summary>Removes the item held for <paramref name="key"/>; nothing happens when the key is absent.</summary>
    void Remove(TKey key);

    /// <summary>Removes each key in order; absent keys are skipped.</summary>
    void Remove(IEnumerable<TKey> keys);

    /// <summary>Removes the item held for the key of <paramref name="item"/>; nothing happens when that key is absent.</summary>
    void RemoveItem(TObject item);

    /// <summary>Removes every item (one Remove per item).</summary>
    void Clear();

    /// <summary>Signals that the item held for <paramref name="key"/> mutated, so operators re-evaluate it; nothing happens when the key is absent.</summary>
    void Refresh(TKey key);

    /// <summary>Signals a Refresh for every item.</summary>
    void Refresh();

    /// <summary>The item held for <paramref name="key"/>, including the effects of this edit so far.</summary>
    Optional<TObject> Lookup(TKey key);
}
