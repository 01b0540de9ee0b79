using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using ReactiveSync.Status;
using ReactiveSync.Storage;
using ReactiveSync.Tests.Conflicts;

namespace ReactiveSync.Tests.Status;

public class PendingConflictsViewTests
{
    private TestScheduler _scheduler = null!;
    private InMemoryKeyValueStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _scheduler = new TestScheduler();
        _scheduler.AdvanceTo(StatusTestEngine.T0.UtcTicks);
        _store = new InMemoryKeyValueStore(_scheduler);
    }

    [Test]
    public async Task Connect_ConflictParked_AddsIt()
    {
        using var manager = CreateManager();
        using var view = PendingConflictsView.Start(manager);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var changeSets = new List<IChangeSet<SyncConflict, Guid>>();
        using var subscription = view.Connect().Subscribe(changeSets.Add);

        var parked = await ParkAsync(manager);

        Assert.Multiple(() =>
        {
            Assert.That(view.Items.Select(c => c.Id), Is.EqualTo(new[] { parked.Id }));
            Assert.That(changeSets.Select(c => (c.Adds, c.Removes)), Is.EqualTo(new[] { (1, 0) }));
        });
    }

    [Test]
    public async Task Connect_ConflictResolved_RemovesIt()
    {
        using var manager = CreateManager();
        var first = await ParkAsync(manager);
        var second = await ParkAsync(manager);
        using var view = PendingConflictsView.Start(manager);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);

        await manager.ResolveConflictAsync(first.Id, new ConflictResolution.UseServer());

        Assert.That(view.Items.Select(c => c.Id), Is.EqualTo(new[] { second.Id }));
    }

    [Test]
    public async Task Start_ConflictsParkedBeforeRestart_LoadsThem()
    {
        Guid parkedId;
        using (var before = CreateManager())
        {
            parkedId = (await ParkAsync(before)).Id;
        }

        using var manager = CreateManager();
        using var view = PendingConflictsView.Start(manager);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);

        Assert.That(view.Items.Select(c => c.Id), Is.EqualTo(new[] { parkedId }));
    }

    [Test]
    public async Task Start_ManagerDisposedLater_KeepsTheLastItems()
    {
        var manager = CreateManager();
        await ParkAsync(manager);
        using var view = PendingConflictsView.Start(manager);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);

        manager.Dispose();

        Assert.That(view.Count, Is.EqualTo(1));
    }

    private ConflictResolutionManager CreateManager() => new(SyncConfiguration.Default, _scheduler, _store);

    private static async Task<SyncConflict> ParkAsync(ConflictResolutionManager manager)
    {
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
        var decision = await manager.ResolveAsync(operation, ConflictScenario.Changed(operation), TimeSpan.Zero, 0);
        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        return decision.Conflict;
    }
}
