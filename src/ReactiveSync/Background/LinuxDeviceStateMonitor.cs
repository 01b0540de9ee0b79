using System.Globalization;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Network;

namespace ReactiveSync.Background;

/// <summary>
/// Reads the device state from Linux sysfs, polled on the injected scheduler: battery level and charging from
/// <c>class/power_supply/*/{type,scope,capacity,status,online}</c>, network kind from <c>class/net/*/{type,operstate,wireless,device}</c>,
/// power saver from <c>firmware/acpi/platform_profile</c> (<c>low-power</c>). The app is always in the foreground.
/// </summary>
/// <remarks>
/// It degrades cleanly: a file that is missing or unreadable gives an unknown value, never an error. A machine without
/// a system battery counts as on external power (<see cref="DeviceState.IsCharging"/> true, <see cref="DeviceState.BatteryLevel"/> null).
/// Virtual interfaces (bridges, veth) count only when the machine has no physical one (a container); loopback never counts.
/// Cellular links (<c>wwan*</c>, <c>rmnet*</c>, raw-IP) are reported as metered. When several links are up, Ethernet wins over
/// Wi-Fi, and Wi-Fi over cellular.
/// </remarks>
public sealed class LinuxDeviceStateMonitor : IDeviceStateMonitor
{
    /// <summary>How often sysfs is read when no interval is given: 10 seconds.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(10);

    private const int LoopbackType = 772; // ARPHRD_LOOPBACK
    private const int EthernetType = 1; // ARPHRD_ETHER
    private const int RawIpType = 519; // ARPHRD_RAWIP, used by cellular modems

    private readonly string _root;
    private readonly ILogger _logger;

    /// <summary>Creates a monitor over the sysfs tree at <paramref name="sysfsRoot"/>, read every <paramref name="pollInterval"/> on <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">Where polls are timed.</param>
    /// <param name="pollInterval">Time between reads; <see cref="DefaultPollInterval"/> when null. Must be positive.</param>
    /// <param name="sysfsRoot">The sysfs mount point; tests point it at a fake tree.</param>
    /// <param name="logger">Where unreadable files are reported, at debug level.</param>
    public LinuxDeviceStateMonitor(IScheduler scheduler, TimeSpan? pollInterval = null, string sysfsRoot = "/sys", ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentException.ThrowIfNullOrWhiteSpace(sysfsRoot);
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));

        _root = sysfsRoot;
        _logger = logger ?? NullLogger.Instance;

        // Read once on subscribe, then on every poll; one shared poll loop for all subscribers.
        State = Observable.Defer(() => Observable.Return(ReadCurrent()))
            .Concat(Observable.Interval(interval, scheduler).Select(_ => ReadCurrent()))
            .DistinctUntilChanged()
            .Replay(1)
            .RefCount();
    }

    /// <inheritdoc/>
    public IObservable<DeviceState> State { get; }

    /// <summary>Reads sysfs now. Never throws for missing or unreadable files.</summary>
    public DeviceState ReadCurrent()
    {
        var (level, charging) = ReadPower();
        var (kind, metered) = ReadNetwork();
        return new DeviceState
        {
            BatteryLevel = level,
            IsCharging = charging,
            IsPowerSaver = ReadText(Path.Combine(_root, "firmware", "acpi", "platform_profile")) == "low-power",
            NetworkKind = kind,
            IsMetered = metered,
            IsForeground = true,
        };
    }

    private (double? Level, bool Charging) ReadPower()
    {
        var supplies = ListDirectories(Path.Combine(_root, "class", "power_supply"));
        if (supplies is null)
        {
            return (null, true);
        }

        var levels = new List<double>();
        var batteries = 0;
        var charging = false;
        foreach (var supply in supplies)
        {
            var type = ReadText(Path.Combine(supply, "type"));
            if (type == "Battery")
            {
                // Peripheral batteries (mouse, headset) say scope=Device; they do not power this machine.
                if (ReadText(Path.Combine(supply, "scope")) == "Device")
                {
                    continue;
                }

                batteries++;
                if (int.TryParse(ReadText(Path.Combine(supply, "capacity")), NumberStyles.Integer, CultureInfo.InvariantCulture, out var capacity)
                    && capacity is >= 0 and <= 100)
                {
                    levels.Add(capacity / 100.0);
                }

                charging |= ReadText(Path.Combine(supply, "status")) is "Charging" or "Full";
            }
            else if (type is "Mains" or "USB" or "USB_C" or "USB_PD")
            {
                charging |= ReadText(Path.Combine(supply, "online")) == "1";
            }
        }

        return (levels.Count > 0 ? levels.Average() : null, charging || batteries == 0);
    }

    private (NetworkKind Kind, bool Metered) ReadNetwork()
    {
        var interfaces = ListDirectories(Path.Combine(_root, "class", "net"));
        if (interfaces is null)
        {
            return (NetworkKind.Unknown, false);
        }

        var links = new List<(NetworkKind Kind, bool IsPhysical, bool IsUp)>();
        foreach (var path in interfaces)
        {
            var type = int.TryParse(ReadText(Path.Combine(path, "type")), NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : -1;
            if (type == LoopbackType)
            {
                continue;
            }

            var name = Path.GetFileName(path);
            var kind = Directory.Exists(Path.Combine(path, "wireless")) || Directory.Exists(Path.Combine(path, "phy80211")) ? NetworkKind.WiFi
                : type == RawIpType || name.StartsWith("wwan", StringComparison.Ordinal) || name.StartsWith("rmnet", StringComparison.Ordinal) ? NetworkKind.Cellular
                : type == EthernetType ? NetworkKind.Ethernet
                : NetworkKind.Unknown;
            links.Add((kind, Directory.Exists(Path.Combine(path, "device")), ReadText(Path.Combine(path, "operstate")) == "up"));
        }

        // Physical links decide when there are any; otherwise (a container) the virtual ones do.
        var pool = links.Any(l => l.IsPhysical) ? links.Where(l => l.IsPhysical) : links;
        var up = pool.Where(l => l.IsUp).Select(l => l.Kind).ToHashSet();
        if (up.Count == 0)
        {
            return (NetworkKind.None, false);
        }

        return up.Contains(NetworkKind.Ethernet) ? (NetworkKind.Ethernet, false)
            : up.Contains(NetworkKind.WiFi) ? (NetworkKind.WiFi, false)
            : up.Contains(NetworkKind.Cellular) ? (NetworkKind.Cellular, true)
            : (NetworkKind.Unknown, false);
    }

    private List<string>? ListDirectories(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.EnumerateDirectories(path).Order(StringComparer.Ordinal).ToList() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug(ex, "Cannot list {Path}; treating it as unknown", path);
            return null;
        }
    }

    private string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug(ex, "Cannot read {Path}; treating it as unknown", path);
            return null;
        }
    }
}
