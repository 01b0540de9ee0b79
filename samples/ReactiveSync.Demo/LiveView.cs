using System.Diagnostics;
using System.Globalization;
using ReactiveSync.Downloads;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ReactiveSync.Demo;

/// <summary>
/// The interactive display: a live table of the devices (network, pending, applied, batches, retries, conflicts, a bar
/// of how much of the queue reached the server) over the latest events, refreshed ten times a second while a phase
/// syncs. Outside the live parts, and when a live part ends, the notable events are written as lines.
/// </summary>
internal sealed class LiveView(IAnsiConsole console) : IDemoView
{
    private const int RecentLines = 12;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Line, LogKind Kind)> _recent = [];
    private readonly List<string> _kept = [];
    private bool _live;

    public void Phase(string title, string description)
    {
        console.WriteLine();
        console.Write(new Rule($"[bold yellow]{Markup.Escape(title)}[/]") { Justification = Justify.Left });
        console.MarkupLine($"[grey]{Markup.Escape(description)}[/]");
    }

    public void Log(string? device, string message, LogKind kind = LogKind.Info)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"[grey]{_clock.Elapsed.TotalSeconds,5:0.0}s[/] [bold]{Markup.Escape(device ?? "demo"),-6}[/] [{Colour(kind)}]{Markup.Escape(message)}[/]");
        lock (_gate)
        {
            if (_live)
            {
                _recent.Add((line, kind));
                if (_recent.Count > RecentLines)
                {
                    _recent.RemoveAt(0);
                }

                if (kind != LogKind.Info)
                {
                    _kept.Add(line);
                }

                return;
            }
        }

        console.MarkupLine(line);
    }

    public async Task RunLiveAsync(IReadOnlyList<Device> devices, Func<Task> work)
    {
        lock (_gate)
        {
            _live = true;
            _recent.Clear();
            _kept.Clear();
        }

        try
        {
            await console.Live(Render(devices))
                .AutoClear(true)
                .StartAsync(async context =>
                {
                    var running = work();
                    while (!running.IsCompleted)
                    {
                        context.UpdateTarget(Render(devices));
                        context.Refresh();
                        await Task.WhenAny(running, Task.Delay(100)).ConfigureAwait(false);
                    }

                    await running.ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        finally
        {
            string[] kept;
            lock (_gate)
            {
                _live = false;
                kept = [.. _kept];
            }

            // The live table is gone: keep what mattered (conflicts, failures, completed syncs) and the devices' final state.
            console.WriteLine();
            foreach (var line in kept)
            {
                console.MarkupLine(line);
            }

            console.Write(DeviceTable(devices));
            if (devices.Any(d => d.Downloads.Count > 0))
            {
                console.Write(DownloadTable(devices));
            }
        }
    }

    public void Report(DemoReport report)
    {
        console.WriteLine();
        console.Write(new Rule("[bold yellow]Report[/]") { Justification = Justify.Left });
        var table = new Table().Border(TableBorder.Rounded).AddColumn(string.Empty);
        foreach (var device in report.Devices)
        {
            table.AddColumn(new TableColumn(Markup.Escape(device.Label)) { Alignment = Justify.Right });
        }

        foreach (var (measure, values) in report.DeviceTable())
        {
            table.AddRow([Markup.Escape(measure), .. values.Select(Markup.Escape)]);
        }

        console.Write(table);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"time: [bold]{report.Elapsed.TotalSeconds:0.0} s[/]"));
        if (report.Server is { } s)
        {
            var server = new Table().Border(TableBorder.Rounded).AddColumn("server").AddColumn(new TableColumn("total") { Alignment = Justify.Right });
            server.AddRow("pushes", DemoReport.N(s.PushRequests));
            server.AddRow("operations applied", DemoReport.N(s.OperationsApplied));
            server.AddRow("duplicates answered", DemoReport.N(s.Duplicates));
            server.AddRow("conflicts answered", DemoReport.N(s.Conflicts));
            server.AddRow("rejected", DemoReport.N(s.Rejected));
            server.AddRow("pulls", DemoReport.N(s.PullRequests));
            server.AddRow("faults injected", DemoReport.N(s.FaultsInjected));
            server.AddRow("change sequence", DemoReport.N(s.LastSequence));
            server.AddRow("live resources", DemoReport.N(report.ServerResources));
            console.Write(server);
        }
        else
        {
            console.MarkupLine($"server: {DemoReport.N(report.ServerResources)} live resources (an external server: no counters)");
        }

        console.MarkupLine($"[grey]server copy: {Markup.Escape(report.ServerSource)}[/]");
        console.MarkupLine($"[grey]device views: {Markup.Escape(report.DeviceViewSource)}[/]");
        foreach (var note in report.Notes)
        {
            console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        }

        console.WriteLine();
        foreach (var (check, passed, detail) in report.Checks)
        {
            console.MarkupLine($"{(passed ? "[green]PASS[/]" : "[red]FAIL[/]")}  {Markup.Escape(check)}: [grey]{Markup.Escape(detail)}[/]");
        }

        console.WriteLine();
        var verdict = report.Converged ? DemoApp.ConvergedLine : DemoApp.NotConvergedLine;
        var suffix = report.Converged && !report.AllPassed ? " (but a check above failed)" : string.Empty;
        console.MarkupLine($"[bold {(report.AllPassed ? "green" : "red")}]{Markup.Escape(verdict + suffix)}[/]");
    }

    private static string Colour(LogKind kind) => kind switch
    {
        LogKind.Success => "green",
        LogKind.Warning => "yellow",
        LogKind.Error => "red",
        LogKind.Conflict => "magenta",
        _ => "default",
    };

    private static string Bar(long done, long total, int width = 10)
    {
        if (total <= 0)
        {
            return $"[grey]{new string('-', width)}[/]";
        }

        var filled = (int)Math.Round(width * Math.Clamp((double)done / total, 0, 1));
        return $"[green]{new string('#', filled)}[/][grey]{new string('-', width - filled)}[/] {100.0 * done / total,3:0}%";
    }

    private static Table DeviceTable(IReadOnlyList<Device> devices)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("device").AddColumn("network").AddColumn(new TableColumn("pending") { Alignment = Justify.Right })
            .AddColumn(new TableColumn("applied") { Alignment = Justify.Right }).AddColumn("synced")
            .AddColumn(new TableColumn("batches") { Alignment = Justify.Right }).AddColumn(new TableColumn("failed requests") { Alignment = Justify.Right })
            .AddColumn(new TableColumn("retries") { Alignment = Justify.Right })
            .AddColumn(new TableColumn("conflicts") { Alignment = Justify.Right });
        foreach (var device in devices)
        {
            var stats = device.Stats;
            var c = device.Counters;
            var pending = stats.Pending + stats.InFlight;
            var network = device.IsOnline ? (device.IsSyncing ? "[green]syncing[/]" : "[green]online[/]") : "[grey]offline[/]";
            table.AddRow(
                Markup.Escape(device.Label),
                network,
                DemoReport.N(pending),
                DemoReport.N(c.Applied),
                Bar(c.Applied, c.Applied + pending),
                DemoReport.N(c.Batches),
                c.RequestFailures > 0 ? $"[yellow]{DemoReport.N(c.RequestFailures)}[/]" : "0",
                DemoReport.N(c.Retried),
                c.Conflicts > 0 ? $"[magenta]{DemoReport.N(c.Conflicts)}[/]" : "0");
        }

        return table;
    }

    private static Table DownloadTable(IReadOnlyList<Device> devices)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("device").AddColumn("download").AddColumn("progress")
            .AddColumn(new TableColumn("bytes") { Alignment = Justify.Right }).AddColumn("state");
        foreach (var device in devices)
        {
            foreach (var (resourceId, title) in device.Downloads)
            {
                var record = device.Engine.DownloadManager?.Get(resourceId);
                var size = record?.FileSize ?? 0;
                var done = record?.State == DownloadState.Completed ? size : record?.DownloadedSize ?? 0;
                var state = record?.State switch
                {
                    DownloadState.Completed => "[green]complete[/]",
                    DownloadState.Failed when record.ErrorMessage?.Contains("quota", StringComparison.OrdinalIgnoreCase) == true => "[red]refused: over the quota[/]",
                    DownloadState.Failed => $"[red]{Markup.Escape(Shorten(record.ErrorMessage ?? "failed"))}[/]",
                    DownloadState.Downloading => "[blue]downloading[/]",
                    { } other => other.ToString(),
                    null => "[grey]asked[/]",
                };
                table.AddRow(
                    Markup.Escape(device.Name),
                    Markup.Escape(title),
                    record?.State == DownloadState.Failed ? "[red]refused[/]" : Bar(done, size),
                    $"{done / 1024:N0} / {size / 1024:N0} KB",
                    state);
            }
        }

        return table;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private IRenderable Render(IReadOnlyList<Device> devices)
    {
        string[] recent;
        lock (_gate)
        {
            recent = [.. _recent.Select(r => r.Line)];
        }

        var log = recent.Length == 0 ? (IRenderable)new Markup("[grey]waiting...[/]") : new Rows(recent.Select(line => new Markup(line)));
        var events = new Panel(log) { Header = new PanelHeader("events"), Border = BoxBorder.Rounded, Expand = true };
        return devices.Any(d => d.Downloads.Count > 0)
            ? new Rows(DeviceTable(devices), DownloadTable(devices), events)
            : new Rows(DeviceTable(devices), events);
    }
}
