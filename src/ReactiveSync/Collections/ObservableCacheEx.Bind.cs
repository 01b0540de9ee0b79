using System.Collections.ObjectModel;
using System.Reactive.Linq;
using ReactiveSync.Collections.Internal;

namespace ReactiveSync.Collections;

public static partial class ObservableCacheEx
{
    /// <summary>Keeps a <see cref="ReadOnlyObservableCollection{T}"/> in step with the change sets, which pass through unchanged.</summary>
    /// <remarks>
    /// <para>The collection is updated on the thread that delivers each change set, so for a UI bind on its dispatcher:
    /// <c>cache.Connect().Sort(comparer).ObserveOn(uiScheduler).Bind(out var items).Subscribe()</c>. Subscribe to the
    /// returned observable once: the collection is shared by every subscription. Disposing the subscription stops updates
    /// and leaves the collection as it is.</para>
    /// <para>Sorted change sets (from <see cref="Sort{TObject, TKey}"/>) are applied by index, so the collection is in sorted
    /// order; unsorted ones keep insertion order. Per change: an <b>Add</b> inserts at its index, or appends. An
    /// <b>Update</b> replaces the item in place, or moves it when its sorted index changed. A <b>Remove</b> removes the
    /// item. A <b>Refresh</b> moves the item when its sorted index changed, else replaces it with itself so views
    /// re-read it.</para>
    /// </remarks>
    /// <param name="source">The change sets to reflect.</param>
    /// <param name="readOnlyObservableCollection">Receives the collection, empty until the first change set.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IObservable<IChangeSet<TObject, TKey>> Bind<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        out ReadOnlyObservableCollection<TObject> readOnlyObservableCollection)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        var collection = new ObservableCollection<TObject>();
        readOnlyObservableCollection = new ReadOnlyObservableCollection<TObject>(collection);
        var adaptor = new ObservableCollectionAdaptor<TObject, TKey>(collection);
        return source.Do(adaptor.Apply);
    }
}
