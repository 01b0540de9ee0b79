using System.Collections.ObjectModel;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.DocSamples;

// #region outbox-row
/// <summary>One row of the "needs attention" list.</summary>
public sealed record OutboxRow(Guid Id, string What, string Problem, DateTimeOffset QueuedAt);
// #endregion

// #region outbox-view
/// <summary>The operations that need the user: failed or parked on a conflict, oldest first, for a list view.</summary>
public sealed class NeedsAttentionView : IDisposable
{
    private readonly SourceCache<OfflineOperation, Guid> _operations = new(op => op.Id);
    private readonly IDisposable _feed;
    private readonly IDisposable _binding;

    public NeedsAttentionView(OperationQueue queue, IScheduler uiScheduler)
    {
        // Subscribe before anything is queued (or load the current operations first; see the page).
        _feed = queue.Changes.Subscribe(Apply);

        _binding = _operations.Connect()
            .Filter(op => op.State is OperationState.Failed or OperationState.Conflict)
            .Transform(op => new OutboxRow(
                op.Id,
                $"{op.Type} {op.ResourceType} {op.ResourceId}",
                op.ErrorMessage ?? op.State.ToString(),
                op.CreatedAt))
            .Sort(Comparer<OutboxRow>.Create((a, b) => a.QueuedAt.CompareTo(b.QueuedAt)))
            .ObserveOn(uiScheduler)
            .Bind(out var rows)
            .Subscribe();
        Rows = rows;
        Count = _operations.CountChanged;
    }

    /// <summary>Bind the list view to this; it changes on the UI scheduler only.</summary>
    public ReadOnlyObservableCollection<OutboxRow> Rows { get; }

    /// <summary>How many operations the queue holds, whatever their state.</summary>
    public IObservable<int> Count { get; }

    private void Apply(OperationChange change)
    {
        switch (change.Kind)
        {
            case OperationChangeKind.Added or OperationChangeKind.Updated:
                _operations.AddOrUpdate(change.Operation!);
                break;
            case OperationChangeKind.Removed:
                _operations.Remove(change.Operation!.Id);
                break;
            case OperationChangeKind.Cleared:
                _operations.Clear();
                break;
        }
    }

    public void Dispose()
    {
        _feed.Dispose();
        _binding.Dispose();
        _operations.Dispose();
    }
}
// #endregion

/// <summary>The samples of docs/observable-cache.md.</summary>
public class ObservableCacheSamples
{
    [Test]
    public async Task NeedsAttentionView_OperationFails_AppearsWithTheServersMessage()
    {
        // #region outbox-use
        var clock = new TestScheduler();
        clock.AdvanceTo(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero).UtcTicks);
        var ui = new TestScheduler(); // in an app: the dispatcher's scheduler
        await using var queue = await OperationQueue.OpenAsync(new InMemoryOperationStore(), SyncConfiguration.Default, clock);
        using var view = new NeedsAttentionView(queue, ui);

        var post = await queue.QueueOperationAsync(new OperationRequest
        {
            Type = OperationType.Create,
            ResourceType = ResourceType.Post,
            Data = new JsonObject { ["title"] = "" },
        });
        ui.AdvanceBy(1);
        Assert.That(view.Rows, Is.Empty); // pending: nothing to show

        // What the engine does when the server rejects it:
        await queue.TakeBatchAsync(10);
        await queue.FailAsync(post.Id, SyncError.Of(SyncErrorType.Validation, "A title is required."));
        ui.AdvanceBy(1);

        Assert.That(view.Rows.Single().Problem, Is.EqualTo("A title is required."));
        // #endregion
    }

    [Test]
    public void Operators_PersonCache_FilterTransformSortBind()
    {
        // #region operators
        using var cache = new SourceCache<(string Id, string Name, int Pending), string>(device => device.Id);
        using var subscription = cache.Connect()                     // current contents as Adds, then each edit
            .Filter(device => device.Pending > 0)                    // only devices with work to sync
            .Transform(device => $"{device.Name}: {device.Pending}") // a label per device
            .Sort(StringComparer.Ordinal)                            // each change carries its index
            .Bind(out ReadOnlyObservableCollection<string> labels)   // applied on the delivering thread
            .Subscribe();

        cache.Edit(updater =>                                        // one edit, one change set
        {
            updater.AddOrUpdate(("a", "Tablet", 2));
            updater.AddOrUpdate(("b", "Phone", 0));
            updater.AddOrUpdate(("c", "Laptop", 5));
        });
        Assert.That(labels, Is.EqualTo(new[] { "Laptop: 5", "Tablet: 2" }));

        cache.AddOrUpdate(("b", "Phone", 1));                        // an Update that starts passing: an Add
        cache.Remove("c");
        Assert.That(labels, Is.EqualTo(new[] { "Phone: 1", "Tablet: 2" }));
        // #endregion
    }

    [Test]
    public void PipeInto_AnotherCache_MirrorsEveryChange()
    {
        using var source = new SourceCache<(string Id, int Value), string>(x => x.Id);
        using var target = new SourceCache<(string Id, int Value), string>(x => x.Id);
        using var mirror = source.Connect().PipeInto(target);

        source.AddOrUpdate([("a", 1), ("b", 2)]);
        source.AddOrUpdate(("a", 3));
        source.Remove("b");

        Assert.That(target.Items, Is.EqualTo(new[] { ("a", 3) }));
    }
}

// #region adapter
public static class ChangeSetAdapter
{
    /// <summary>
    /// Applies every change set to <paramref name="target"/>, one edit per change set. For a DynamicData target only the
    /// target's type changes (<c>DynamicData.SourceCache&lt;TObject, TKey&gt;</c>): its updater has the same AddOrUpdate,
    /// Remove(key) and Refresh(key).
    /// </summary>
    public static IDisposable PipeInto<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> changes, SourceCache<TObject, TKey> target)
        where TKey : notnull =>
        changes.Subscribe(changeSet => target.Edit(updater =>
        {
            foreach (var change in changeSet)
            {
                switch (change.Reason)
                {
                    case ChangeReason.Add or ChangeReason.Update:
                        updater.AddOrUpdate(change.Current);
                        break;
                    case ChangeReason.Remove:
                        updater.Remove(change.Key);
                        break;
                    case ChangeReason.Refresh:
                        updater.Refresh(change.Key);
                        break;
                }
            }
        }));
}
// #endregion
