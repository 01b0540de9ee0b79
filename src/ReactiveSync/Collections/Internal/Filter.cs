using System.Reactive.Linq;

namespace ReactiveSync.Collections.Internal;

internal sealed class Filter<TObject, TKey>(
    IObservable<IChangeSet<TObject, TKey>> source,
    Func<TObject, bool> predicate,
    bool suppressEmptyChangeSets)
    where TKey : notnull
{
    public IObservable<IChangeSet<TObject, TKey>> Run() =>
        Observable.Defer(() =>
        {
            // Per subscription: the items that currently pass, as last seen.
            var passing = new Dictionary<TKey, TObject>();
            var result = source.Select(changes => Process(passing, changes));
            return suppressEmptyChangeSets ? result.Where(static c => c.Count > 0) : result;
        });

    private IChangeSet<TObject, TKey> Process(Dictionary<TKey, TObject> passing, IChangeSet<TObject, TKey> changes)
    {
        var output = new List<Change<TObject, TKey>>(changes.Count);
        foreach (var change in changes)
        {
            var key = change.Key;
            var wasPassing = passing.TryGetValue(key, out var old);
            switch (change.Reason)
            {
                case ChangeReason.Add:
                case ChangeReason.Update:
                case ChangeReason.Refresh:
                    if (predicate(change.Current))
                    {
                        passing[key] = change.Current;
                        output.Add(!wasPassing
                            ? new Change<TObject, TKey>(ChangeReason.Add, key, change.Current)
                            : change.Reason == ChangeReason.Refresh
                                ? new Change<TObject, TKey>(ChangeReason.Refresh, key, change.Current)
                                : new Change<TObject, TKey>(ChangeReason.Update, key, change.Current, Optional<TObject>.Some(old!)));
                    }
                    else if (wasPassing)
                    {
                        passing.Remove(key);
                        output.Add(new Change<TObject, TKey>(ChangeReason.Remove, key, old!));
                    }

                    break;

                case ChangeReason.Remove:
                    if (wasPassing)
                    {
                        passing.Remove(key);
                        output.Add(new Change<TObject, TKey>(ChangeReason.Remove, key, old!));
                    }

                    break;
            }
        }

        return output.Count == 0 ? ChangeSet<TObject, TKey>.Empty : new ChangeSet<TObject, TKey>(output.ToArray());
    }
}
