using System.Globalization;

namespace ReactiveSync.Demo;

/// <summary>The demo's command line, parsed by hand: a handful of options needs no parser package.</summary>
internal sealed record DemoOptions
{
    /// <summary>Operations in a default run.</summary>
    public const int DefaultOperations = 240;

    /// <summary>Operations in a <c>--quick</c> run.</summary>
    public const int QuickOperations = 40;

    /// <summary>The fewest operations a day can have: the setup and the conflicting edits take eleven.</summary>
    public const int MinOperations = 20;

    /// <summary>The most operations a run accepts.</summary>
    public const int MaxOperations = 100_000;

    /// <summary>The share of server requests failed by default (5xx or a connection cut mid-answer).</summary>
    public const double DefaultFaultRate = 0.1;

    public const string Usage = """
        Usage: dotnet run --project samples/ReactiveSync.Demo [-- options]

        Two devices of a teacher work offline for a day, then sync with a ReactiveSync server.

        Options:
          --operations N    operations the two devices queue in the day (20..100000; default 240, quick 40)
          --fault-rate R    share of server requests that fail with a 5xx or a cut connection (0..0.5;
                            default 0.1); in-process server only
          --server URL      sync against a ReactiveSync server already running (http://host:port/);
                            no server is started and no faults are injected
          --quick           a short run of a few seconds
          --plain           plain line output even on an interactive terminal
          -h, --help        this text
        """;

    /// <summary>How many operations to queue, both devices and all phases together.</summary>
    public int Operations { get; init; } = DefaultOperations;

    /// <summary>The server's fault rate (in-process server only).</summary>
    public double FaultRate { get; init; } = DefaultFaultRate;

    /// <summary>A running server to use instead of starting one.</summary>
    public Uri? Server { get; init; }

    /// <summary>Whether this is a short run.</summary>
    public bool Quick { get; init; }

    /// <summary>Whether to write plain lines even on an interactive terminal.</summary>
    public bool Plain { get; init; }

    /// <summary>Whether help was asked for.</summary>
    public bool Help { get; init; }

    /// <summary>Parses <paramref name="args"/>; answers null with <paramref name="error"/> set when they are invalid.</summary>
    public static DemoOptions? TryParse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        int? operations = null;
        double? faultRate = null;
        Uri? server = null;
        var quick = false;
        var plain = false;
        var help = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = Split(arg);
            switch (name)
            {
                case "--operations":
                case "-n":
                    if (!TakeValue(args, ref i, name, inline, out var n, out error))
                    {
                        return null;
                    }

                    if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < MinOperations or > MaxOperations)
                    {
                        error = $"--operations must be a whole number from {MinOperations} to {MaxOperations}, was '{n}'.";
                        return null;
                    }

                    operations = count;
                    break;

                case "--fault-rate":
                    if (!TakeValue(args, ref i, name, inline, out var r, out error))
                    {
                        return null;
                    }

                    if (!double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !double.IsFinite(rate) || rate is < 0 or > 0.5)
                    {
                        error = $"--fault-rate must be a number from 0 to 0.5, was '{r}'.";
                        return null;
                    }

                    faultRate = rate;
                    break;

                case "--server":
                    if (!TakeValue(args, ref i, name, inline, out var url, out error))
                    {
                        return null;
                    }

                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    {
                        error = $"--server must be an absolute http:// or https:// address, was '{url}'.";
                        return null;
                    }

                    server = new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
                    break;

                case "--quick" when inline is null:
                    quick = true;
                    break;

                case "--plain" when inline is null:
                    plain = true;
                    break;

                case "--help" or "-h" or "-?" when inline is null:
                    help = true;
                    break;

                default:
                    error = $"Unknown argument '{arg}'.";
                    return null;
            }
        }

        if (server is not null && faultRate is not null)
        {
            error = "--fault-rate applies to the in-process server only; it cannot be combined with --server.";
            return null;
        }

        return new DemoOptions
        {
            Operations = operations ?? (quick ? QuickOperations : DefaultOperations),
            FaultRate = server is not null ? 0 : faultRate ?? DefaultFaultRate,
            Server = server,
            Quick = quick,
            Plain = plain,
            Help = help,
        };
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    private static bool TakeValue(IReadOnlyList<string> args, ref int i, string name, string? inline, out string value, out string? error)
    {
        error = null;
        if (inline is not null)
        {
            value = inline;
            return true;
        }

        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            value = string.Empty;
            error = $"{name} needs a value.";
            return false;
        }

        value = args[++i];
        return true;
    }
}
