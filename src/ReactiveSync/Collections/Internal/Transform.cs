using System.Reactive.Linq;

namespace ReactiveSync.Collections.Internal;

internal sealed class Transform<TObject, TKey, TDestination>(
    IObservable<IChangeSet<TObject, TKey>> source,
    Func<TObject, TDestination> transformFactory)
    where TKey : notnull
{
    public IObservable<IChangeSet<TDestination, TKey>> Run() =>
        Observable.Defer(() =>
        {
            // Per subscription: the projection of each key, to report Update's previous value and Remove/Refresh.
            var projections = new Dictionary<TKey, TDestination>();
            return source.Select(changes => Process(projections, changes));
        });

    private IChangeSet<TDestination, TKey> Process(Dictionary<TKey, TDestination> projections, IChangeSet<TObject, TKey> changes)
    {
        var output = new List<Change<TDestination, TKey>>(changes.Count);
        foreach (var change in changes)
        {
            var key = change.Key;
            switch (change.Reason)
            {
                case ChangeReason.Add:
                case ChangeReason.Update:
                    var projection = transformFactory(change.Current);
                    output.Add(projections.TryGetValue(key, out var previous)
                        ? new Change<TDestination, TKey>(ChangeReason.Update, key, projection, Optional<TDestination>.Some(previous), change.CurrentIndex, change.PreviousIndex)
                        : new Change<TDestination, TKey>(ChangeReason.Add, key, projection, default, change.CurrentIndex));
                    projections[key] = projection;
                    break;

                case ChangeReason.Remove:
                    if (projections.Remove(key, out var removed))
                    {
                        output.Add(new Change<TDestination, TKey>(ChangeReason.Remove, key, removed, default, change.CurrentIndex));
                    }

                    break;

                case ChangeReason.Refresh:
                    if (projections.TryGetValue(key, out var current))
                    {
                        output.Add(new Change<TDestination, TKey>(ChangeReason.Refresh, key, current, default, change.CurrentIndex, change.PreviousIndex));
                    }

                    break;
            }
        }

        return new ChangeSet<TDestination, TKey>(output.ToArray());
    }
}
