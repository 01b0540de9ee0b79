using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ReactiveSync.Demo;

/// <summary>Plain lines, one event per line with the time since the start: for CI logs, redirected output and tests.</summary>
internal sealed class PlainView(TextWriter output) : IDemoView
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Phase(string title, string description) => Write($"{Environment.NewLine}== {title}: {description}");

    public void Log(string? device, string message, LogKind kind = LogKind.Info)
    {
        var mark = kind switch
        {
            LogKind.Warning => "! ",
            LogKind.Error => "x ",
            LogKind.Conflict => "~ ",
            LogKind.Success => "+ ",
            _ => "  ",
        };
        Write(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {device ?? "demo",-6} {mark}{message}"));
    }

    public async Task RunLiveAsync(IReadOnlyList<Device> devices, Func<Task> work)
    {
        // A status line per device every second, when it changed: enough to follow in a log without flooding it.
        var last = new string[devices.Count];
        using var stop = new CancellationTokenSource();
        var ticker = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    Status(devices, last);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await ticker.ConfigureAwait(false);
            Status(devices, last);
        }
    }

    public void Report(DemoReport report)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("== Report");
        var header = new[] { string.Empty }.Concat(report.Devices.Select(d => d.Label)).ToArray();
        var rows = report.DeviceTable().Select(row => new[] { row.Measure }.Concat(row.Values).ToArray()).ToList();
        AppendTable(text, header, rows);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"time: {report.Elapsed.TotalSeconds:0.0} s"));
        if (report.Server is { } s)
        {
            text.AppendLine(
                $"server: {N(s.PushRequests)} pushes, {N(s.OperationsApplied)} operations applied, {N(s.Duplicates)} duplicates answered, " +
                $"{N(s.Conflicts)} conflicts answered, {N(s.Rejected)} rejected, {N(s.PullRequests)} pulls, {N(s.FaultsInjected)} faults injected, " +
                $"change sequence {N(s.LastSequence)}, {N(report.ServerResources)} live resources");
        }
        else
        {
            text.AppendLine($"server: {N(report.ServerResources)} live resources (an external server: no counters)");
        }

        text.AppendLine($"server copy: {report.ServerSource}");
        text.AppendLine($"device views: {report.DeviceViewSource}");
        foreach (var note in report.Notes)
        {
            text.AppendLine($"note: {note}");
        }

        text.AppendLine();
        text.AppendLine("== Checks");
        foreach (var (check, passed, detail) in report.Checks)
        {
            text.AppendLine($"{(passed ? "PASS" : "FAIL")}  {check}: {detail}");
        }

        text.AppendLine();
        text.Append(report.Converged ? DemoApp.ConvergedLine : DemoApp.NotConvergedLine);
        if (report.Converged && !report.AllPassed)
        {
            text.Append(" (but a check above failed)");
        }

        Write(text.ToString());
    }

    private static string N(long value) => DemoReport.N(value);

    private static void AppendTable(StringBuilder text, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        text.AppendLine(string.Join("  ", header.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        }
    }

    private void Status(IReadOnlyList<Device> devices, string[] last)
    {
        for (var i = 0; i < devices.Count; i++)
        {
            var line = StatusLine(devices[i]);
            if (line != last[i])
            {
                last[i] = line;
                Log(devices[i].Name, line);
            }
        }
    }

    private static string StatusLine(Device device)
    {
        var stats = device.Stats;
        var c = device.Counters;
        return $"status: {(device.IsOnline ? "online" : "offline")}, {stats.Pending + stats.InFlight} pending, {c.Applied} applied, " +
            $"{c.Batches} batches, {c.RequestFailures} failed requests, {c.Retried} retries, {c.Conflicts} conflicts";
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
