using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

/// <summary>
/// An observer that rebuilds the state from the change sets it receives and records every breach of the contract:
/// a malformed change (Add of a present key; Update, Remove or Refresh of an absent one; a previous value or sorted index
/// that does not match), overlapping calls, or calls after completion. Safe to read after the source has gone quiet.
/// </summary>
public sealed class ChangeSetReplayer<TObject, TKey>(bool checkIndexes = false, StrongBox<int>? sharedInFlight = null) : IObserver<IChangeSet<TObject, TKey>>
    where TKey : notnull
{
    private readonly StrongBox<int> _sharedInFlight = sharedInFlight ?? new StrongBox<int>();
    private int _inFlight;

    public Dictionary<TKey, TObject> State { get; } = [];

    /// <summary>The keys in the order the sorted indexes put them (only with checkIndexes).</summary>
    public List<TKey> Order { get; } = [];

    public ConcurrentQueue<string> Violations { get; } = new();

    public int ChangeSets { get; private set; }

    public bool IsCompleted { get; private set; }

    public Exception? Error { get; private set; }

    public void OnNext(IChangeSet<TObject, TKey> value)
    {
        Enter();
        try
        {
            if (IsCompleted || Error is not null)
            {
                Violations.Enqueue("OnNext after the end");
            }

            ChangeSets++;
            foreach (var change in value)
            {
                Apply(change);
            }
        }
        finally
        {
            Exit();
        }
    }

    public void OnError(Exception error)
    {
        Enter();
        Error = error;
        Exit();
    }

    public void OnCompleted()
    {
        Enter();
        if (IsCompleted)
        {
            Violations.Enqueue("OnCompleted twice");
        }

        IsCompleted = true;
        Exit();
    }

    private void Apply(Change<TObject, TKey> change)
    {
        var present = State.TryGetValue(change.Key, out var held);
        switch (change.Reason)
        {
            case ChangeReason.Add:
                if (present)
                {
                    Violations.Enqueue($"Add of present key {change.Key}");
                }

                State[change.Key] = change.Current;
                if (checkIndexes)
                {
                    if (change.CurrentIndex < 0 || change.CurrentIndex > Order.Count)
                    {
                        Violations.Enqueue($"Add of {change.Key} at bad index {change.CurrentIndex}");
                        return;
                    }

                    Order.Insert(change.CurrentIndex, change.Key);
                }

                break;

            case ChangeReason.Update:
                if (!present)
                {
                    Violations.Enqueue($"Update of absent key {change.Key}");
                }
                else if (!EqualityComparer<TObject>.Default.Equals(held, change.Previous.Value))
                {
                    Violations.Enqueue($"Update of {change.Key} with previous {change.Previous.Value}, held {held}");
                }

                State[change.Key] = change.Current;
                Move(change);
                break;

            case ChangeReason.Remove:
                if (!present)
                {
                    Violations.Enqueue($"Remove of absent key {change.Key}");
                }

                State.Remove(change.Key);
                if (checkIndexes)
                {
                    if (!IndexHolds(change.CurrentIndex, change.Key))
                    {
                        return;
                    }

                    Order.RemoveAt(change.CurrentIndex);
                }

                break;

            case ChangeReason.Refresh:
                if (!present)
                {
                    Violations.Enqueue($"Refresh of absent key {change.Key}");
                }

                Move(change);
                break;
        }
    }

    private void Move(Change<TObject, TKey> change)
    {
        if (!checkIndexes || !IndexHolds(change.PreviousIndex, change.Key))
        {
            return;
        }

        Order.RemoveAt(change.PreviousIndex);
        if (change.CurrentIndex < 0 || change.CurrentIndex > Order.Count)
        {
            Violations.Enqueue($"Move of {change.Key} to bad index {change.CurrentIndex}");
            return;
        }

        Order.Insert(change.CurrentIndex, change.Key);
    }

    private bool IndexHolds(int index, TKey key)
    {
        if (index >= 0 && index < Order.Count && EqualityComparer<TKey>.Default.Equals(Order[index], key))
        {
            return true;
        }

        Violations.Enqueue($"Index {index} does not hold {key}");
        return false;
    }

    private void Enter()
    {
        if (Interlocked.Increment(ref _inFlight) != 1)
        {
            Violations.Enqueue("overlapping calls to one observer");
        }

        if (Interlocked.Increment(ref _sharedInFlight.Value) != 1)
        {
            Violations.Enqueue("overlapping calls across observers");
        }
    }

    private void Exit()
    {
        Interlocked.Decrement(ref _sharedInFlight.Value);
        Interlocked.Decrement(ref _inFlight);
    }
}
