using System.Reactive.Linq;

namespace ReactiveSync.Collections.Internal;

internal sealed class Sort<TObject, TKey>(
    IObservable<IChangeSet<TObject, TKey>> source,
    IComparer<TObject> comparer)
    where TKey : notnull
{
    public IObservable<IChangeSet<TObject, TKey>> Run() =>
        Observable.Defer(() =>
        {
            // Per subscription: the items in sorted order.
            var sorted = new List<KeyValuePair<TKey, TObject>>();
            return source.Select(changes => Process(sorted, changes));
        });

    private IChangeSet<TObject, TKey> Process(List<KeyValuePair<TKey, TObject>> sorted, IChangeSet<TObject, TKey> changes)
    {
        if (sorted.Count == 0 && changes.Count == changes.Adds)
        {
            return InitialLoad(sorted, changes);
        }

        var output = new Change<TObject, TKey>[changes.Count];
        var n = 0;
        foreach (var change in changes)
        {
            var key = change.Key;
            var item = change.Current;
            var oldIndex = change.Reason == ChangeReason.Add ? -1 : IndexOf(sorted, key);
            switch (change.Reason)
            {
                case ChangeReason.Add:
                case ChangeReason.Update when oldIndex < 0:
                    var at = UpperBound(sorted, item);
                    sorted.Insert(at, new(key, item));
                    output[n++] = new Change<TObject, TKey>(ChangeReason.Add, key, item, default, at);
                    break;

                case ChangeReason.Update:
                case ChangeReason.Refresh when oldIndex >= 0:
                    sorted.RemoveAt(oldIndex);
                    var newIndex = FitsAt(sorted, item, oldIndex) ? oldIndex : UpperBound(sorted, item);
                    sorted.Insert(newIndex, new(key, item));
                    output[n++] = new Change<TObject, TKey>(change.Reason, key, item, change.Previous, newIndex, oldIndex);
                    break;

                case ChangeReason.Remove when oldIndex >= 0:
                    var removed = sorted[oldIndex].Value;
                    sorted.RemoveAt(oldIndex);
                    output[n++] = new Change<TObject, TKey>(ChangeReason.Remove, key, removed, default, oldIndex);
                    break;
            }
        }

        return new ChangeSet<TObject, TKey>(n == output.Length ? output : output[..n]);
    }

    private ChangeSet<TObject, TKey> InitialLoad(List<KeyValuePair<TKey, TObject>> sorted, IChangeSet<TObject, TKey> adds)
    {
        // OrderBy is stable, so equal items keep their arrival order, as one-by-one inserts would.
        var index = 0;
        var output = new Change<TObject, TKey>[adds.Count];
        foreach (var change in adds.OrderBy(static c => c.Current, comparer))
        {
            sorted.Add(new(change.Key, change.Current));
            output[index] = new Change<TObject, TKey>(ChangeReason.Add, change.Key, change.Current, default, index);
            index++;
        }

        return new ChangeSet<TObject, TKey>(output);
    }

    // Linear: a refreshed item may have mutated, so a binary search by its sort value could miss it.
    private static int IndexOf(List<KeyValuePair<TKey, TObject>> sorted, TKey key)
    {
        var keys = EqualityComparer<TKey>.Default;
        for (var i = 0; i < sorted.Count; i++)
        {
            if (keys.Equals(sorted[i].Key, key))
            {
                return i;
            }
        }

        return -1;
    }

    // The first index whose item sorts after the given one, so equal items keep arrival order.
    private int UpperBound(List<KeyValuePair<TKey, TObject>> sorted, TObject item)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (comparer.Compare(sorted[mid].Value, item) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    // An item that still sorts between its old neighbours stays put rather than jumping among equals.
    private bool FitsAt(List<KeyValuePair<TKey, TObject>> sorted, TObject item, int index) =>
        (index == 0 || comparer.Compare(sorted[index - 1].Value, item) <= 0)
        && (index == sorted.Count || comparer.Compare(item, sorted[index].Value) <= 0);
}
