using System.Diagnostics;
using System.Globalization;
using ReactiveSync.IntegrationTests.Queue;

namespace ReactiveSync.IntegrationTests.Sync;

/// <summary>
/// Runs the crash client's <c>sync</c> subcommand as a child process and follows the lines it prints; a test waits
/// for a line, kills the process with SIGKILL, or waits for it to exit.
/// </summary>
internal sealed class SyncClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<long> _times = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SyncClientProcess(Process process) => _process = process;

    /// <summary>Every line printed so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToList();
            }
        }
    }

    /// <summary>Milliseconds from the start of the process to line <paramref name="index"/>.</summary>
    public long MillisecondsTo(int index)
    {
        lock (_gate)
        {
            return _times[index];
        }
    }

    /// <summary>Starts <c>ReactiveSync.CrashClient sync ...</c>.</summary>
    public static SyncClientProcess Start(string database, Uri server, string clientId, int operations, int resources)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { CrashClientProcess.ClientPath, "sync", database, server.ToString(), clientId, operations.ToString(CultureInfo.InvariantCulture), resources.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var client = new SyncClientProcess(process);
        process.OutputDataReceived += (_, e) => client.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                TestContext.Progress.WriteLine("sync client stderr: " + e.Data);
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException("The crash client did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>
    /// Waits until a line printed at or after index <paramref name="startAt"/> satisfies <paramref name="predicate"/> and
    /// answers its index; fails if the process ends first.
    /// </summary>
    public async Task<int> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what, int startAt = 0)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var seen = startAt;
        while (true)
        {
            Task changed;
            bool closed;
            lock (_gate)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (predicate(_lines[seen]))
                    {
                        return seen;
                    }
                }

                changed = _changed.Task;
                closed = _outputClosed.Task.IsCompleted;
            }

            if (closed)
            {
                throw new InvalidOperationException($"The sync client ended before {what}; last lines: {string.Join(" | ", Lines.TakeLast(5))}");
            }

            try
            {
                await changed.WaitAsync(deadline.Token); // waiting for a real process
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"No {what} within {timeout}; last lines: {string.Join(" | ", Lines.TakeLast(5))}");
            }
        }
    }

    /// <summary>Kills the process (and its children) with SIGKILL and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the process to exit by itself and answers its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        await _outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is null)
            {
                _outputClosed.TrySetResult();
            }
            else
            {
                _lines.Add(line);
                _times.Add(_clock.ElapsedMilliseconds);
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
