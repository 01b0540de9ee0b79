using System.Reactive.Concurrency;
using System.Windows.Input;

namespace ReactiveSync.Sample.ViewModels;

/// <summary>
/// An <see cref="ICommand"/> over a task-returning method, like MVVM Toolkit's <c>AsyncRelayCommand</c> or ReactiveUI's
/// <c>ReactiveCommand.CreateFromTask</c>: disabled while it runs and while <c>canExecute</c> says no; its failures go to
/// a completion callback instead of being lost. Its state changes are raised on the UI scheduler.
/// </summary>
public sealed class AsyncCommand : ICommand
{
    private readonly Func<CancellationToken, Task> _execute;
    private readonly Func<bool> _canExecute;
    private readonly Action<Exception?> _onCompleted;
    private readonly IScheduler _uiScheduler;
    private bool _isExecuting;

    /// <summary>Creates the command.</summary>
    /// <param name="execute">What the command does.</param>
    /// <param name="canExecute">Whether it may run now (besides not running already).</param>
    /// <param name="onCompleted">Called on the UI scheduler after each run: with the exception <paramref name="execute"/> threw, or null when it succeeded.</param>
    /// <param name="uiScheduler">The UI thread's scheduler.</param>
    public AsyncCommand(Func<CancellationToken, Task> execute, Func<bool> canExecute, Action<Exception?> onCompleted, IScheduler uiScheduler)
    {
        ArgumentNullException.ThrowIfNull(execute);
        ArgumentNullException.ThrowIfNull(canExecute);
        ArgumentNullException.ThrowIfNull(onCompleted);
        ArgumentNullException.ThrowIfNull(uiScheduler);
        _execute = execute;
        _canExecute = canExecute;
        _onCompleted = onCompleted;
        _uiScheduler = uiScheduler;
    }

    /// <inheritdoc/>
    public event EventHandler? CanExecuteChanged;

    /// <summary>Whether a run is in progress.</summary>
    public bool IsExecuting => _isExecuting;

    /// <inheritdoc/>
    public bool CanExecute(object? parameter) => !_isExecuting && _canExecute();

    /// <inheritdoc/>
    /// <remarks>Fire and forget, as <see cref="ICommand"/> requires; failures reach the completion callback.</remarks>
    public void Execute(object? parameter) => _ = ExecuteAsync();

    /// <summary>Runs the command if it can execute; completes when the run and its UI updates are scheduled. Never throws.</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        if (!CanExecute(null))
        {
            return;
        }

        SetExecuting(true);
        Exception? failure = null;
        try
        {
            await _execute(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        // The run may end on a pool thread: report back on the UI thread.
        _uiScheduler.Schedule(() =>
        {
            SetExecuting(false);
            _onCompleted(failure);
        });
    }

    /// <summary>Raises <see cref="CanExecuteChanged"/>; call it on the UI thread when what <c>canExecute</c> reads changed.</summary>
    public void RaiseCanExecuteChanged() => CanExecuteChanged?.Invoke(this, EventArgs.Empty);

    private void SetExecuting(bool executing)
    {
        _isExecuting = executing;
        RaiseCanExecuteChanged();
    }
}
