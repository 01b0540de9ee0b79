using System.Collections.ObjectModel;

namespace ReactiveSync.Collections.Internal;

// Mirrors change sets into an ObservableCollection; a parallel key list finds items of unsorted change sets.
internal sealed class ObservableCollectionAdaptor<TObject, TKey>(ObservableCollection<TObject> collection)
    where TKey : notnull
{
    private readonly List<TKey> _keys = [];

    public void Apply(IChangeSet<TObject, TKey> changes)
    {
        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    Insert(change.CurrentIndex >= 0 ? change.CurrentIndex : _keys.Count, change.Key, change.Current);
                    break;

                case ChangeReason.Update:
                case ChangeReason.Refresh:
                    var oldIndex = change.PreviousIndex >= 0 ? change.PreviousIndex : _keys.IndexOf(change.Key);
                    if (oldIndex < 0)
                    {
                        if (change.Reason == ChangeReason.Update)
                        {
                            Insert(change.CurrentIndex >= 0 ? change.CurrentIndex : _keys.Count, change.Key, change.Current);
                        }

                        break;
                    }

                    var newIndex = change.CurrentIndex >= 0 ? change.CurrentIndex : oldIndex;
                    if (newIndex == oldIndex)
                    {
                        collection[oldIndex] = change.Current;
                    }
                    else if (change.Reason == ChangeReason.Refresh)
                    {
                        _keys.RemoveAt(oldIndex);
                        _keys.Insert(newIndex, change.Key);
                        collection.Move(oldIndex, newIndex);
                    }
                    else
                    {
                        RemoveAt(oldIndex);
                        Insert(newIndex, change.Key, change.Current);
                    }

                    break;

                case ChangeReason.Remove:
                    var index = change.CurrentIndex >= 0 ? change.CurrentIndex : _keys.IndexOf(change.Key);
                    if (index >= 0)
                    {
                        RemoveAt(index);
                    }

                    break;
            }
        }
    }

    private void Insert(int index, TKey key, TObject item)
    {
        _keys.Insert(index, key);
        collection.Insert(index, item);
    }

    private void RemoveAt(int index)
    {
        _keys.RemoveAt(index);
        collection.RemoveAt(index);
    }
}
