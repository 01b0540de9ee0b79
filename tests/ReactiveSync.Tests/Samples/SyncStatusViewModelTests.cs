using System.ComponentModel;
using System.Globalization;
using ReactiveSync.Model;
using ReactiveSync.Sample.ViewModels;
using ReactiveSync.Tests.Pipeline;
using ReactiveSync.Tests.Status;

namespace ReactiveSync.Tests.Samples;

public class SyncStatusViewModelTests
{
    private static readonly SyncConfiguration ManualOnly = SyncConfiguration.Default with { AutoSyncEnabled = false };

    private StatusTestEngine _setup = null!;
    private LockedTestScheduler _ui = null!;
    private CultureInfo _culture = null!;

    [SetUp]
    public void Create()
    {
        _culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        _setup = new StatusTestEngine(online: true);
        _ui = new LockedTestScheduler(StatusTestEngine.T0);
    }

    [TearDown]
    public async Task Dispose()
    {
        await _setup.DisposeAsync();
        CultureInfo.CurrentUICulture = _culture;
    }

    [Test]
    public async Task Properties_StatusChanges_UpdateOnTheUiSchedulerOnly()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        var changed = new List<string?>();
        vm.PropertyChanged += (_, e) => changed.Add(e.PropertyName);

        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));
        await engine.QueueOperationAsync(StatusTestEngine.Create("p2"));
        var beforeUiRan = (vm.PendingCount, changed.Count);
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(beforeUiRan, Is.EqualTo((0L, 0)), "nothing changes until the UI scheduler runs");
            Assert.That(vm.PendingCount, Is.EqualTo(2));
            Assert.That(vm.IsOnline, Is.True);
            Assert.That(vm.StatusMessage, Is.EqualTo("2 changes pending sync"));
            Assert.That(vm.Status.PendingOperations, Is.EqualTo(2));
            Assert.That(changed, Does.Contain(nameof(SyncStatusViewModel.PendingCount)));
            Assert.That(changed, Does.Contain(nameof(SyncStatusViewModel.StatusMessage)));
        });
    }

    [Test]
    public async Task SyncCommand_NetworkGoesOfflineAndBack_CanExecuteFollowsAndRaisesChanged()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        FlushUi();
        var raised = 0;
        vm.SyncCommand.CanExecuteChanged += (_, _) => raised++;
        var online = vm.SyncCommand.CanExecute(null);

        _setup.Network.SetOnline(false);
        FlushUi();
        var offline = vm.SyncCommand.CanExecute(null);
        var message = vm.StatusMessage;
        _setup.Network.SetOnline(true);
        await _setup.IdleAsync();
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(online, Is.True);
            Assert.That(offline, Is.False);
            Assert.That(message, Is.EqualTo("Offline"));
            Assert.That(vm.SyncCommand.CanExecute(null), Is.True);
            Assert.That(raised, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task SyncCommand_Executed_SyncsThePendingOperations()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));
        FlushUi();

        await vm.SyncAsync();
        await _setup.IdleAsync();
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(_setup.Server.OperationsApplied, Is.EqualTo(1));
            Assert.That(vm.PendingCount, Is.Zero);
            Assert.That(vm.StatusMessage, Is.EqualTo("All changes synced"));
            Assert.That(vm.LastError, Is.Null);
            Assert.That(vm.SyncCommand.CanExecute(null), Is.True);
        });
    }

    [Test]
    public async Task SyncCommand_EngineWentOfflineBeforeTheUiKnew_ReportsTheEngineErrorInLastError()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        FlushUi();

        // The UI scheduler has not run since: the command still looks enabled and meets the engine's refusal.
        _setup.Network.SetOnline(false);
        var looksEnabled = vm.SyncCommand.CanExecute(null);
        await vm.SyncAsync();
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(looksEnabled, Is.True);
            Assert.That(vm.LastError, Does.Contain("offline"));
            Assert.That(vm.IsOnline, Is.False);
            Assert.That(vm.SyncCommand.CanExecute(null), Is.False);
        });
    }

    [Test]
    public async Task SyncCommand_BeforeTheFirstStatusReachedTheUi_CannotExecute()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);

        Assert.That(vm.SyncCommand.CanExecute(null), Is.False);
    }

    [Test]
    public async Task ProblemOperations_ServerRejectsAnOperation_ListsIt()
    {
        _setup.Server.SetValidator(ResourceType.Post, op => op.ResourceId == "bad" ? "not allowed" : null);
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        await engine.QueueOperationAsync(StatusTestEngine.Create("good"));
        var bad = await engine.QueueOperationAsync(StatusTestEngine.Create("bad"));
        FlushUi();

        await vm.SyncAsync();
        await _setup.IdleAsync();
        await engine.ProblemOperations.Loaded;
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(vm.ProblemOperations.Select(op => (op.Id, op.State)), Is.EqualTo(new[] { (bad.Id, OperationState.Failed) }));
            Assert.That(vm.FailedCount, Is.EqualTo(1));
            Assert.That(vm.StatusMessage, Is.EqualTo("1 change failed to sync"));
        });
    }

    [Test]
    public async Task ProblemOperations_FailedRetried_LeavesTheList()
    {
        _setup.Server.SetValidator(ResourceType.Post, _ => "not allowed");
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        await engine.QueueOperationAsync(StatusTestEngine.Create("a"));
        FlushUi();
        await vm.SyncAsync();
        await _setup.IdleAsync();
        FlushUi();
        var listed = vm.ProblemOperations.Count;

        await engine.RetryFailedOperationsAsync();
        FlushUi();

        Assert.Multiple(() =>
        {
            Assert.That(listed, Is.EqualTo(1));
            Assert.That(vm.ProblemOperations, Is.Empty);
        });
    }

    [Test]
    public async Task PropertyChanged_SameStatusAgain_NotRaised()
    {
        var engine = await _setup.StartAsync(ManualOnly);
        using var vm = new SyncStatusViewModel(engine, _ui);
        FlushUi();
        var changed = new List<string?>();
        PropertyChangedEventHandler handler = (_, e) => changed.Add(e.PropertyName);
        vm.PropertyChanged += handler;

        engine.EnableAutoSync(false);
        FlushUi();

        Assert.That(changed, Is.Empty);
    }

    // ObserveOn delivers one item per scheduled step, each a tick later on a test scheduler: give it room for many.
    private void FlushUi() => _ui.AdvanceTo(_ui.Now.AddTicks(100_000));
}
