using System.Diagnostics;
using System.Text;

namespace ReactiveSync.IntegrationTests.Queue;

/// <summary>
/// Runs tests/ReactiveSync.CrashClient (built by the project reference) from its own output folder, where its
/// dependencies are, and collects the complete lines it printed; a line cut off by a kill is dropped.
/// </summary>
internal sealed class CrashClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    private CrashClientProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadLinesAsync);
    }

    /// <summary>
    /// The client's dll in tests/ReactiveSync.CrashClient/bin/&lt;configuration&gt;/&lt;framework&gt;, the same
    /// configuration and framework as this test assembly (its copy next to the tests lacks the packages the shared
    /// ASP.NET framework provides here).
    /// </summary>
    public static string ClientPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var testsFolder = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(testsFolder, "ReactiveSync.CrashClient", "bin", configuration, framework, "ReactiveSync.CrashClient.dll");
        }
    }

    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    public static CrashClientProcess Start(params string[] arguments)
    {
        if (!File.Exists(ClientPath))
        {
            throw new FileNotFoundException("The crash client was not built next to the tests.", ClientPath);
        }

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ClientPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The crash client did not start.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                TestContext.Progress.WriteLine("crash client stderr: " + e.Data);
            }
        };
        process.BeginErrorReadLine();
        return new CrashClientProcess(process);
    }

    /// <summary>Polls until at least <paramref name="count"/> lines arrived; fails if the process exits or time runs out.</summary>
    public async Task WaitForLinesAsync(int count, TimeSpan timeout)
    {
        await Eventually.WaitAsync(
            () => LineCount >= count || _process.HasExited,
            $"the crash client printed {count} lines",
            timeout,
            () => $"{LineCount} lines",
            TimeSpan.FromMilliseconds(5)); // waiting for a real process
        if (LineCount < count)
        {
            // It exited: its last lines may still be in the pipe.
            await _reader;
            if (LineCount < count)
            {
                throw new InvalidOperationException($"The crash client exited with {_process.ExitCode} after {LineCount} lines.");
            }
        }
    }

    /// <summary>Kills the process with SIGKILL and answers every complete line it printed.</summary>
    public async Task<IReadOnlyList<string>> KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _reader.WaitAsync(TimeSpan.FromSeconds(30));
        lock (_gate)
        {
            return _lines.ToList();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task ReadLinesAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[8192];
        var pending = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    var line = Encoding.UTF8.GetString(pending.ToArray());
                    pending.Clear();
                    lock (_gate)
                    {
                        _lines.Add(line);
                    }
                }
                else
                {
                    pending.Add(buffer[i]);
                }
            }
        }

        // Whatever is left had no newline: cut off by the kill, so not a promise.
    }
}
