using ReactiveSync.Collections.Internal;

namespace ReactiveSync.Collections;

public static partial class ObservableCacheEx
{
    /// <summary>Projects each item with <paramref name="transformFactory"/>, keeping keys (and sorted indexes) as they are.</summary>
    /// <remarks>
    /// Per change: an <b>Add</b> becomes an Add of the projection. An <b>Update</b> projects the new item and becomes an
    /// Update whose previous value is the earlier projection. A <b>Remove</b> becomes a Remove of the earlier projection
    /// without calling the factory. A <b>Refresh</b> passes through as a Refresh of the earlier projection, not projected
    /// again (as in DynamicData). Exceptions thrown by <paramref name="transformFactory"/> end the stream with OnError.
    /// </remarks>
    /// <param name="source">The change sets to project.</param>
    /// <param name="transformFactory">Makes the projection of one item.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="transformFactory"/> is null.</exception>
    public static IObservable<IChangeSet<TDestination, TKey>> Transform<TObject, TKey, TDestination>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        Func<TObject, TDestination> transformFactory)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(transformFactory);
        return new Transform<TObject, TKey, TDestination>(source, transformFactory).Run();
    }
}
