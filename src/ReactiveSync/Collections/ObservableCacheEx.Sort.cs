using ReactiveSync.Collections.Internal;

namespace ReactiveSync.Collections;

public static partial class ObservableCacheEx
{
    /// <summary>Orders the items by <paramref name="comparer"/>: each change carries its index in sorted order.</summary>
    /// <remarks>
    /// Indexes follow <see cref="Change{TObject, TKey}"/>: changes apply in order, each index refers to the list as the
    /// changes before it left it. Per change: an <b>Add</b> gets the index it is inserted at (after items that compare equal);
    /// on a first change set of Adds only, the Adds come in sorted order with indexes 0, 1, 2, ... An <b>Update</b> gets the
    /// old index as <c>PreviousIndex</c> and the new one as <c>CurrentIndex</c>; an item that still fits where it was keeps
    /// its index. A <b>Remove</b> gets the index it was removed from as <c>CurrentIndex</c>. A <b>Refresh</b> re-sorts the
    /// item and carries both indexes; different indexes mean it moved (DynamicData's Moved). Exceptions thrown by
    /// <paramref name="comparer"/> end the stream with OnError.
    /// </remarks>
    /// <param name="source">The change sets to sort.</param>
    /// <param name="comparer">The order of the items.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="comparer"/> is null.</exception>
    public static IObservable<IChangeSet<TObject, TKey>> Sort<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        IComparer<TObject> comparer)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(comparer);
        return new Sort<TObject, TKey>(source, comparer).Run();
    }
}
