using System.Collections.ObjectModel;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Transport;

namespace ReactiveSync.DocSamples;

// #region outbox-row
/// <summary>One row of the "needs attention" list.</summary>
public sealed record OutboxRow(Guid Id, string What, string Problem, DateTimeOffset QueuedAt);
// #endregion

// #region outbox-view
/// <summary>The operations that need the user: failed or parked on a conflict, oldest first, for a list view.</summary>
public sealed class NeedsAttentionView : IDisposable
{
    private readonly IDisposable _binding;

    public NeedsAttentionView(SyncEngine engine, IScheduler uiScheduler)
    {
        _binding = engine.ProblemOperations                      // Failed, Conflict and InFlight operations
            .Connect(op => op.State is OperationState.Failed or OperationState.Conflict)
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
        Conflicts = engine.PendingConflicts.CountChanged;      // for a badge
    }

    /// <summary>Bind the list view to this; it changes on the UI scheduler only.</summary>
    public ReadOnlyObservableCollection<OutboxRow> Rows { get; }

    /// <summary>How many conflicts wait for the user.</summary>
    public IObservable<int> Conflicts { get; }

    public void Dispose() => _binding.Dispose();
}
// #endregion

/// <summary>The samples of docs/observable-cache.md.</summary>
public class ObservableCacheSamples
{
    [Test]
    public async Task NeedsAttentionView_ServerRejectsAnOperation_AppearsWithTheServersMessage()
    {
        var scheduler = new SynchronizedTestScheduler(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var server = new InMemorySyncTransport(scheduler);
        server.SetValidator(ResourceType.Post, op => op.Data?["title"]?.GetValue<string>() is { Length: > 0 } ? null : "A title is required.");
        using var network = new InMemoryNetworkMonitor(online: false);
        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new InMemoryOperationStore(),
            Transport = server,
            NetworkMonitor = network,
            ClientId = "device-1",
            Scheduler = scheduler,
        });

        // #region outbox-use
        var ui = new TestScheduler(); // in an app: the dispatcher's scheduler
        using var view = new NeedsAttentionView(engine, ui);

        await engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, "post-1", new JsonObject { ["title"] = "" });
        ui.AdvanceBy(1);
        Assert.That(view.Rows, Is.Empty);                          // pending: nothing to show

        var synced = engine.Events.OfType<SyncCompleted>().FirstAsync().ToTask();
        network.SetOnline(true);                                   // the server rejects it: Failed
        await synced.WaitAsync(TimeSpan.FromSeconds(10));
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
