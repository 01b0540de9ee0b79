using System.Collections.ObjectModel;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Windows.Input;
using ReactiveSync.Collections;
using ReactiveSync.Model;

namespace ReactiveSync.Sample.ViewModels;

/// <summary>
/// A sync status bar and problem list for an app's shell: the engine's status, its message, the counts, the operations
/// that need attention, and a Sync command enabled only while online and not syncing. Everything it raises is raised on
/// the UI scheduler it is given, so bindings never see another thread.
/// </summary>
/// <remarks>
/// With ReactiveUI the same shape is <c>WhenAnyValue</c> over these properties and a <c>ReactiveCommand</c>; with MVVM
/// Toolkit, <c>ObservableObject</c> and <c>AsyncRelayCommand</c>. Dispose it when the view goes away.
/// </remarks>
public sealed class SyncStatusViewModel : ViewModelBase, IDisposable
{
    private readonly SyncEngine _engine;
    private readonly AsyncCommand _syncCommand;
    private readonly CompositeDisposable _subscriptions = [];
    private OfflineStatus _status = new();
    private string _statusMessage = string.Empty;
    private bool _isOnline;
    private bool _isSyncing;
    private long _pendingCount;
    private long _failedCount;
    private long _conflictCount;
    private string? _lastError;

    /// <summary>Binds to <paramref name="engine"/>; every update is delivered on <paramref name="uiScheduler"/>.</summary>
    /// <param name="engine">The engine to show.</param>
    /// <param name="uiScheduler">The UI thread's scheduler (a dispatcher scheduler in an app, a test scheduler in tests).</param>
    public SyncStatusViewModel(SyncEngine engine, IScheduler uiScheduler)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(uiScheduler);
        _engine = engine;
        _syncCommand = new AsyncCommand(SyncAsync, () => IsOnline && !IsSyncing, ex => LastError = ex?.Message, uiScheduler);

        _subscriptions.Add(engine.StatusMonitor.Status.ObserveOn(uiScheduler).Subscribe(OnStatus));
        _subscriptions.Add(engine.StatusMonitor.StatusMessage.ObserveOn(uiScheduler).Subscribe(message => StatusMessage = message));
        _subscriptions.Add(engine.ProblemOperations.Connect()
            .Sort(ProblemOrder.Instance)
            .ObserveOn(uiScheduler)
            .Bind(out var problems)
            .Subscribe());
        ProblemOperations = problems;
    }

    /// <summary>The engine's status.</summary>
    public OfflineStatus Status
    {
        get => _status;
        private set => SetProperty(ref _status, value);
    }

    /// <summary>The status as one line ("Syncing...", "5 changes pending sync", ...).</summary>
    public string StatusMessage
    {
        get => _statusMessage;
        private set => SetProperty(ref _statusMessage, value);
    }

    /// <summary>Whether the server is reachable.</summary>
    public bool IsOnline
    {
        get => _isOnline;
        private set => SetProperty(ref _isOnline, value);
    }

    /// <summary>Whether a sync runs.</summary>
    public bool IsSyncing
    {
        get => _isSyncing;
        private set => SetProperty(ref _isSyncing, value);
    }

    /// <summary>Operations waiting to be sent.</summary>
    public long PendingCount
    {
        get => _pendingCount;
        private set => SetProperty(ref _pendingCount, value);
    }

    /// <summary>Operations that failed and wait for the user.</summary>
    public long FailedCount
    {
        get => _failedCount;
        private set => SetProperty(ref _failedCount, value);
    }

    /// <summary>Conflicts that wait for the user.</summary>
    public long ConflictCount
    {
        get => _conflictCount;
        private set => SetProperty(ref _conflictCount, value);
    }

    /// <summary>Why the last Sync command failed (e.g. offline), until the next one succeeds.</summary>
    public string? LastError
    {
        get => _lastError;
        private set => SetProperty(ref _lastError, value);
    }

    /// <summary>The operations that need attention (failed, in conflict) or are on their way: problems first, then by priority, oldest first.</summary>
    public ReadOnlyObservableCollection<OfflineOperation> ProblemOperations { get; }

    /// <summary>Syncs now; enabled only while online and not syncing.</summary>
    public ICommand SyncCommand => _syncCommand;

    /// <summary>Runs <see cref="SyncCommand"/> and completes when it has ended (for code and tests; the UI uses the command).</summary>
    public Task SyncAsync() => _syncCommand.ExecuteAsync();

    /// <summary>Stops following the engine.</summary>
    public void Dispose() => _subscriptions.Dispose();

    private Task SyncAsync(CancellationToken cancellationToken) => _engine.SyncNowAsync(cancellationToken);

    private void OnStatus(OfflineStatus status)
    {
        var couldSync = _syncCommand.CanExecute(null);
        Status = status;
        IsOnline = status.IsOnline;
        IsSyncing = status.IsSyncing;
        PendingCount = status.PendingOperations;
        FailedCount = status.FailedOperations;
        ConflictCount = status.Conflicts;
        if (couldSync != _syncCommand.CanExecute(null))
        {
            _syncCommand.RaiseCanExecuteChanged();
        }
    }

    /// <summary>Failed and conflicting operations before those in flight; then higher priority first; then queue order.</summary>
    private sealed class ProblemOrder : IComparer<OfflineOperation>
    {
        public static ProblemOrder Instance { get; } = new();

        public int Compare(OfflineOperation? x, OfflineOperation? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byProblem = (x.State == OperationState.InFlight).CompareTo(y.State == OperationState.InFlight);
            if (byProblem != 0)
            {
                return byProblem;
            }

            var byPriority = y.Priority.CompareTo(x.Priority);
            return byPriority != 0 ? byPriority : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
