using ReactiveSync.Collections.Internal;

namespace ReactiveSync.Collections;

/// <summary>Operators on streams of keyed change sets, named as in DynamicData.</summary>
public static partial class ObservableCacheEx
{
    /// <summary>Keeps only the items that satisfy <paramref name="predicate"/>.</summary>
    /// <remarks>
    /// Per change: an <b>Add</b> that passes becomes an Add, one that fails is dropped. An <b>Update</b> becomes an Update
    /// when the old and new items pass, an Add when only the new one passes, a Remove (of the old item) when only the old one
    /// passed, and is dropped when neither does. A <b>Remove</b> of a passing item becomes a Remove, else it is dropped. A
    /// <b>Refresh</b> re-evaluates the item: it stays a Refresh when the item passed and still passes, becomes an Add when it
    /// starts passing, a Remove when it stops passing. Output changes carry no indexes, so filter before sorting.
    /// Exceptions thrown by <paramref name="predicate"/> end the stream with OnError.
    /// </remarks>
    /// <param name="source">The change sets to filter.</param>
    /// <param name="predicate">Whether an item belongs to the result.</param>
    /// <param name="suppressEmptyChangeSets">Whether to skip change sets that end up empty (the default).</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="predicate"/> is null.</exception>
    public static IObservable<IChangeSet<TObject, TKey>> Filter<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        Func<TObject, bool> predicate,
        bool suppressEmptyChangeSets = true)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(predicate);
        return new Filter<TObject, TKey>(source, predicate, suppressEmptyChangeSets).Run();
    }
}
