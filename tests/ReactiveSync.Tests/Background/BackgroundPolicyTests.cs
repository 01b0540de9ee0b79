using ReactiveSync.Background;
using ReactiveSync.Network;

namespace ReactiveSync.Tests.Background;

public class BackgroundPolicyTests
{
    private static readonly DeviceState Good = new() { BatteryLevel = 0.8, NetworkKind = NetworkKind.WiFi, IsForeground = true };
    private static readonly BackgroundSyncConfiguration Config = BackgroundSyncConfiguration.Default;

    private static IEnumerable<TestCaseData> Cases()
    {
        var c = Config;
        yield return new TestCaseData(c, Good, true, false, BackgroundConstraints.None).SetName("Good device: nothing unmet");
        yield return new TestCaseData(c, Good with { BatteryLevel = 0.1 }, true, false, BackgroundConstraints.BatteryNotLow).SetName("Low battery, optimized: waits");
        yield return new TestCaseData(c, Good with { BatteryLevel = 0.1 }, false, false, BackgroundConstraints.None).SetName("Low battery, not optimized: runs");
        yield return new TestCaseData(c, Good with { BatteryLevel = 0.1, IsCharging = true }, true, false, BackgroundConstraints.None).SetName("Low battery while charging: runs");
        yield return new TestCaseData(c, Good with { BatteryLevel = null }, true, false, BackgroundConstraints.None).SetName("Unknown battery: runs");
        yield return new TestCaseData(c, Good with { IsPowerSaver = true }, true, false, BackgroundConstraints.PowerSaverOff).SetName("Power saver, optimized: waits");
        yield return new TestCaseData(c, Good with { IsPowerSaver = true, BatteryLevel = 0.01 }, true, false, BackgroundConstraints.PowerSaverOff | BackgroundConstraints.BatteryNotLow).SetName("Power saver and low: both listed");
        yield return new TestCaseData(c with { RequiresCharging = true }, Good, false, false, BackgroundConstraints.Charging).SetName("Requires charging, on battery: waits");
        yield return new TestCaseData(c, Good with { NetworkKind = NetworkKind.Cellular, IsMetered = true }, false, true, BackgroundConstraints.WiFi).SetName("Wi-Fi only on cellular: waits");
        yield return new TestCaseData(c, Good with { NetworkKind = NetworkKind.Ethernet }, false, true, BackgroundConstraints.None).SetName("Wi-Fi only on Ethernet: runs");
        yield return new TestCaseData(c, Good with { NetworkKind = NetworkKind.Unknown }, false, true, BackgroundConstraints.WiFi).SetName("Wi-Fi only on unknown network: waits");
        yield return new TestCaseData(c with { WifiOnlyBackground = true }, Good with { NetworkKind = NetworkKind.Cellular }, false, false, BackgroundConstraints.None).SetName("Wi-Fi only in background, foreground on cellular: runs");
        yield return new TestCaseData(c with { WifiOnlyBackground = true }, Good with { NetworkKind = NetworkKind.Cellular, IsForeground = false }, false, false, BackgroundConstraints.WiFi).SetName("Wi-Fi only in background, background on cellular: waits");
        yield return new TestCaseData(c with { RequiredNetwork = NetworkRequirement.WiFi }, Good with { NetworkKind = NetworkKind.Cellular }, false, false, BackgroundConstraints.WiFi).SetName("Required Wi-Fi on cellular: waits");
        yield return new TestCaseData(c with { RequiredNetwork = NetworkRequirement.Unmetered }, Good with { NetworkKind = NetworkKind.Cellular, IsMetered = true }, false, false, BackgroundConstraints.UnmeteredNetwork).SetName("Required unmetered on metered: waits");
        yield return new TestCaseData(c with { RequiredNetwork = NetworkRequirement.Unmetered }, Good with { NetworkKind = NetworkKind.None }, false, false, BackgroundConstraints.UnmeteredNetwork).SetName("Required unmetered with no network: waits");
        yield return new TestCaseData(c with { RequiredNetwork = NetworkRequirement.Unmetered }, Good with { NetworkKind = NetworkKind.Unknown }, false, false, BackgroundConstraints.None).SetName("Required unmetered on unknown unmetered network: runs");
        yield return new TestCaseData(c, Good with { NetworkKind = NetworkKind.None }, false, false, BackgroundConstraints.None).SetName("Any network with none: runs (connectivity is the engine's concern)");
    }

    [TestCaseSource(nameof(Cases))]
    public void Unmet_Table(BackgroundSyncConfiguration config, DeviceState device, bool batteryOptimized, bool wifiOnly, BackgroundConstraints expected)
    {
        Assert.That(BackgroundPolicy.Unmet(config, device, batteryOptimized, wifiOnly), Is.EqualTo(expected));
    }

    [TestCase(1, 10)]
    [TestCase(2, 20)]
    [TestCase(3, 40)]
    [TestCase(4, 60)]
    [TestCase(1000, 60)]
    public void Backoff_ExponentialCappedAtMax(int failures, int expectedSeconds)
    {
        var config = Config with
        {
            TaskBackoffInitialDelay = TimeSpan.FromSeconds(10),
            TaskBackoffMaxDelay = TimeSpan.FromSeconds(60),
            TaskBackoffMultiplier = 2,
        };

        Assert.That(BackgroundPolicy.Backoff(config, failures), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public void Backoff_MultiplierOne_StaysAtInitial()
    {
        var config = Config with { TaskBackoffMultiplier = 1 };

        Assert.That(BackgroundPolicy.Backoff(config, 50), Is.EqualTo(config.TaskBackoffInitialDelay));
    }
}
