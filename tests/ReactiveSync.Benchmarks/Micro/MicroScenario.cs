using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using ReactiveSync.Benchmarks.Summary;

namespace ReactiveSync.Benchmarks.Micro;

/// <summary>
/// BenchmarkDotNet micro benchmarks of the Rx operators (<see cref="OperatorBenchmarks"/>) and the observable cache
/// (<see cref="CacheBenchmarks"/>), each against its plain baseline; writes artifacts/bench/micro.json and BenchmarkDotNet's
/// own reports under artifacts/bench/micro/.
/// </summary>
/// <remarks>
/// A short job so <c>all</c> stays within minutes on two cores: in process (no generated project to build), one launch,
/// 2 warm-up and 7 measured iterations of about 100 ms each. Figures are medians of the iterations and ratios are of
/// medians, which a shared machine's load spikes move less than means. Options: <c>--iterations N</c>, <c>--filter TEXT</c> (a
/// substring of Class.Method). Before measuring, each benchmark runs once and its result is checked, so a benchmark
/// that measures nothing fails the run instead of reporting a ratio.
/// </remarks>
internal sealed class MicroScenario : IScenario
{
    private static readonly Type[] BenchmarkTypes = [typeof(OperatorBenchmarks), typeof(CacheBenchmarks)];

    public string Name => "micro";

    public async Task<int> RunAsync(string[] args)
    {
        var iterations = int.Parse(OptionText(args, "--iterations") ?? "7", CultureInfo.InvariantCulture);
        var filter = OptionText(args, "--filter");
        if (await CheckAsync() is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine("micro: " + problem);
            }

            return 1;
        }

        var artifacts = Path.Combine(BenchArtifacts.Directory, "micro");
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(iterations)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithId("ShortInProcess");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts)
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer())
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));
        if (filter is not null)
        {
            config = config.AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b =>
                $"{b.Descriptor.Type.Name}.{b.Descriptor.WorkloadMethod.Name}".Contains(filter, StringComparison.OrdinalIgnoreCase)));
        }

        var started = DateTimeOffset.UtcNow;
        var summaries = BenchmarkRunner.Run(BenchmarkTypes, config);
        var results = summaries.SelectMany(Results).ToList();
        var failed = summaries.SelectMany(s => s.Reports).Count(r => !r.Success) + summaries.Sum(s => s.ValidationErrors.Length);
        var document = new MicroDocument(
            "micro",
            job.Id,
            iterations,
            Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            (DateTimeOffset.UtcNow - started).TotalSeconds,
            results);
        var path = Path.Combine(BenchArtifacts.Directory, "micro.json");
        Directory.CreateDirectory(BenchArtifacts.Directory);
        File.WriteAllText(path, JsonSerializer.Serialize(document, BenchArtifacts.JsonOptions));
        Console.WriteLine();
        Console.WriteLine($"{"category",-26} {"benchmark",-34} {"ns/op",10} {"ratio",7} {"B/op",8}");
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Category,-26} {r.Method,-34} {r.MedianNs,10:N1} {r.Ratio,7:0.00} {r.AllocatedBytesPerOperation,8:N0}");
        }

        Console.WriteLine($"wrote {path} ({document.Seconds:0} s)");
        return failed == 0 && results.Count > 0 ? 0 : 1;
    }

    /// <summary>Runs every benchmark once and checks what it computed; answers the problems.</summary>
    internal static async Task<List<string>> CheckAsync()
    {
        var problems = new List<string>();
        var operators = new OperatorBenchmarks();
        var cache = new CacheBenchmarks();
        cache.Setup();
        try
        {
            foreach (var (type, instance) in new (Type, object)[] { (typeof(OperatorBenchmarks), operators), (typeof(CacheBenchmarks), cache) })
            {
                foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
                {
                    var value = method.Invoke(instance, null) switch
                    {
                        Task<int> task => await task.WaitAsync(TimeSpan.FromSeconds(10)),
                        int number => number,
                        var other => throw new InvalidOperationException($"{method.Name} returned {other}"),
                    };
                    if (Expected(type, method.Name) is { } expected && !expected(value))
                    {
                        problems.Add($"{type.Name}.{method.Name} computed {value}, which is not what it is meant to compute.");
                    }
                }
            }
        }
        finally
        {
            cache.Cleanup();
        }

        return problems;
    }

    // What each benchmark computes: every value through (operators that pass all), one per burst or more (time-based),
    // every item (cache), a quarter of the items (group 0 of 4).
    private static Func<int, bool>? Expected(Type type, string method) => (type.Name, method) switch
    {
        (nameof(OperatorBenchmarks), "Rx_Throttle" or "Rx_Sample") => v => v == OperatorBenchmarks.Values / 5,
        (nameof(OperatorBenchmarks), "DebounceUnless" or "ThrottleLatest") => v => v >= OperatorBenchmarks.Values / 5,
        (nameof(OperatorBenchmarks), "SelectExclusive") => v => v is >= 1 and <= OperatorBenchmarks.Values,
        (nameof(OperatorBenchmarks), _) => v => v == OperatorBenchmarks.Values,
        (nameof(CacheBenchmarks), "Linq_Where" or "Cache_Connect_Filter" or "SortedList_Updates" or "Cache_Filter_Sort_Bind_Updates") =>
            v => v == CacheBenchmarks.Items / 4,
        (nameof(CacheBenchmarks), _) => v => v == CacheBenchmarks.Items,
        _ => null,
    };

    private static IEnumerable<MicroResult> Results(BenchmarkDotNet.Reports.Summary summary)
    {
        var reports = summary.Reports.Where(r => r.Success && r.ResultStatistics is not null).ToList();
        foreach (var report in reports)
        {
            var descriptor = report.BenchmarkCase.Descriptor;
            var category = descriptor.Categories.FirstOrDefault() ?? descriptor.Type.Name;
            var baseline = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline
                && r.BenchmarkCase.Descriptor.Type == descriptor.Type
                && (r.BenchmarkCase.Descriptor.Categories.FirstOrDefault() ?? descriptor.Type.Name) == category);
            var median = report.ResultStatistics!.Median;
            yield return new MicroResult(
                descriptor.Type.Name,
                category,
                descriptor.WorkloadMethod.Name,
                descriptor.Baseline,
                median,
                report.ResultStatistics.Mean,
                report.ResultStatistics.StandardDeviation,
                report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0,
                baseline is null ? null : median / baseline.ResultStatistics!.Median);
        }
    }

    private static string? OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
