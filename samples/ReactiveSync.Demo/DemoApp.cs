using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace ReactiveSync.Demo;

/// <summary>
/// The demo's entry point: parses the arguments, picks the display (live on an interactive terminal, plain lines
/// otherwise), runs the day in a fresh temp folder and deletes it. Exit codes: 0 the devices converged with the server
/// and every check held, 1 they did not (or the run failed), 2 invalid arguments.
/// </summary>
internal static class DemoApp
{
    /// <summary>The line the demo prints when both devices' views equal the server's.</summary>
    public const string ConvergedLine = "CONVERGED: both devices' views equal the server's copy.";

    /// <summary>The line the demo prints when they do not.</summary>
    public const string NotConvergedLine = "NOT CONVERGED: the devices' views and the server's copy differ.";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var options = DemoOptions.TryParse(args, out var error);
        if (options is null)
        {
            output.WriteLine($"error: {error}");
            output.WriteLine();
            output.WriteLine(DemoOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            output.WriteLine(DemoOptions.Usage);
            return 0;
        }

        var interactive = !options.Plain
            && ReferenceEquals(output, Console.Out)
            && !Console.IsOutputRedirected
            && AnsiConsole.Profile.Capabilities.Interactive;
        IDemoView view = interactive ? new LiveView(AnsiConsole.Console) : new PlainView(output);
        var root = Path.Combine(Path.GetTempPath(), $"reactivesync-demo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            return await new DemoRun(options, view, root).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            view.Log(null, "cancelled", LogKind.Error);
            return 1;
        }
        catch (Exception ex)
        {
            view.Log(null, $"the demo failed: {ex}", LogKind.Error);
            return 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException ex)
            {
                view.Log(null, $"could not delete {root}: {ex.Message}", LogKind.Warning);
            }
        }
    }
}
