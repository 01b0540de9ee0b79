using System.Reactive.Concurrency;
using Microsoft.Reactive.Testing;
using ReactiveSync.Background;
using ReactiveSync.Network;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Background;

public class LinuxDeviceStateMonitorTests
{
    private string _root = null!;

    [SetUp]
    public void CreateFakeSysfs() => _root = Directory.CreateTempSubdirectory("reactivesync-sysfs-").FullName;

    [TearDown]
    public void DeleteFakeSysfs() => Directory.Delete(_root, recursive: true);

    [Test]
    public void ReadCurrent_BatteryDischarging_ReportsLevelNotCharging()
    {
        Supply("BAT0", ("type", "Battery"), ("capacity", "42"), ("status", "Discharging"));
        Supply("AC", ("type", "Mains"), ("online", "0"));

        var state = Monitor().ReadCurrent();

        Assert.That((state.BatteryLevel, state.IsCharging), Is.EqualTo(((double?)0.42, false)));
    }

    [TestCase("Charging", "0", true)]
    [TestCase("Full", "0", true)]
    [TestCase("Not charging", "1", true)] // plugged in, held by a charge threshold
    [TestCase("Discharging", "0", false)]
    public void ReadCurrent_BatteryStatusAndMains_DecideCharging(string status, string mainsOnline, bool charging)
    {
        Supply("BAT0", ("type", "Battery"), ("capacity", "80"), ("status", status));
        Supply("ADP1", ("type", "Mains"), ("online", mainsOnline));

        Assert.That(Monitor().ReadCurrent().IsCharging, Is.EqualTo(charging));
    }

    [Test]
    public void ReadCurrent_TwoBatteriesAndAPeripheral_AveragesSystemBatteries()
    {
        Supply("BAT0", ("type", "Battery"), ("capacity", "20"), ("status", "Discharging"));
        Supply("BAT1", ("type", "Battery"), ("capacity", "60"), ("status", "Discharging"));
        Supply("hidpp_battery_0", ("type", "Battery"), ("scope", "Device"), ("capacity", "5"), ("status", "Discharging"));

        Assert.That(Monitor().ReadCurrent().BatteryLevel, Is.EqualTo(0.4).Within(1e-9));
    }

    [Test]
    public void ReadCurrent_NoPowerSupplyFolder_UnknownLevelOnExternalPower()
    {
        var state = Monitor().ReadCurrent();

        Assert.That((state.BatteryLevel, state.IsCharging), Is.EqualTo(((double?)null, true)));
    }

    [Test]
    public void ReadCurrent_OnlyMains_UnknownLevelOnExternalPower()
    {
        Supply("AC", ("type", "Mains"), ("online", "1"));

        var state = Monitor().ReadCurrent();

        Assert.That((state.BatteryLevel, state.IsCharging), Is.EqualTo(((double?)null, true)));
    }

    [TestCase("garbage")]
    [TestCase("")]
    [TestCase("150")]
    public void ReadCurrent_CapacityUnparsable_UnknownLevelButStatusStillRead(string capacity)
    {
        Supply("BAT0", ("type", "Battery"), ("capacity", capacity), ("status", "Charging"));

        var state = Monitor().ReadCurrent();

        Assert.That((state.BatteryLevel, state.IsCharging), Is.EqualTo(((double?)null, true)));
    }

    [Test]
    public void ReadCurrent_CapacityUnreadable_UnknownLevelNoError()
    {
        Supply("BAT0", ("type", "Battery"), ("status", "Discharging"));
        Directory.CreateDirectory(Path.Combine(_root, "class", "power_supply", "BAT0", "capacity")); // reading a directory fails

        var state = Monitor().ReadCurrent();

        Assert.That((state.BatteryLevel, state.IsCharging), Is.EqualTo(((double?)null, false)));
    }

    [Test]
    public void ReadCurrent_WirelessInterfaceUp_WiFi()
    {
        Interface("lo", type: 772, up: true, physical: false);
        Interface("wlan0", type: 1, up: true, physical: true, wireless: true);
        Interface("enp3s0", type: 1, up: false, physical: true);

        var state = Monitor().ReadCurrent();

        Assert.That((state.NetworkKind, state.IsMetered), Is.EqualTo((NetworkKind.WiFi, false)));
    }

    [Test]
    public void ReadCurrent_EthernetAndWiFiUp_EthernetWins()
    {
        Interface("wlan0", type: 1, up: true, physical: true, wireless: true);
        Interface("eth0", type: 1, up: true, physical: true);

        Assert.That(Monitor().ReadCurrent().NetworkKind, Is.EqualTo(NetworkKind.Ethernet));
    }

    [Test]
    public void ReadCurrent_ModemUp_CellularAndMetered()
    {
        Interface("wwan0", type: 519, up: true, physical: true);
        Interface("wlan0", type: 1, up: false, physical: true, wireless: true);

        var state = Monitor().ReadCurrent();

        Assert.That((state.NetworkKind, state.IsMetered), Is.EqualTo((NetworkKind.Cellular, true)));
    }

    [Test]
    public void ReadCurrent_PhysicalLinksDownVirtualBridgeUp_None()
    {
        Interface("lo", type: 772, up: true, physical: false);
        Interface("wlan0", type: 1, up: false, physical: true, wireless: true);
        Interface("docker0", type: 1, up: true, physical: false);

        Assert.That(Monitor().ReadCurrent().NetworkKind, Is.EqualTo(NetworkKind.None));
    }

    [Test]
    public void ReadCurrent_ContainerWithOnlyVirtualLink_Ethernet()
    {
        Interface("lo", type: 772, up: true, physical: false);
        Interface("eth0", type: 1, up: true, physical: false);

        Assert.That(Monitor().ReadCurrent().NetworkKind, Is.EqualTo(NetworkKind.Ethernet));
    }

    [Test]
    public void ReadCurrent_NoNetFolder_UnknownNetwork()
    {
        Assert.That(Monitor().ReadCurrent().NetworkKind, Is.EqualTo(NetworkKind.Unknown));
    }

    [TestCase("low-power", true)]
    [TestCase("balanced", false)]
    public void ReadCurrent_PlatformProfile_DecidesPowerSaver(string profile, bool powerSaver)
    {
        Write(Path.Combine("firmware", "acpi", "platform_profile"), profile + "\n");

        Assert.That(Monitor().ReadCurrent().IsPowerSaver, Is.EqualTo(powerSaver));
    }

    [Test]
    public void ReadCurrent_Always_InForeground()
    {
        Assert.That(Monitor().ReadCurrent().IsForeground, Is.True);
    }

    [Test]
    public void State_PollsOnSchedulerAndSkipsUnchangedReads()
    {
        var scheduler = new TestScheduler();
        Supply("BAT0", ("type", "Battery"), ("capacity", "50"), ("status", "Discharging"));
        var monitor = new LinuxDeviceStateMonitor(scheduler, TimeSpan.FromTicks(100), _root);
        At(scheduler, 350, () => Write(Path.Combine("class", "power_supply", "BAT0", "capacity"), "49\n"));
        At(scheduler, 550, () => Write(Path.Combine("class", "power_supply", "BAT0", "status"), "Charging\n"));

        var res = scheduler.Start(() => monitor.State, created: 100, subscribed: 200, disposed: 1000);

        var first = new DeviceState { BatteryLevel = 0.5, IsCharging = false, NetworkKind = NetworkKind.Unknown };
        res.Messages.AssertEqual(
            OnNext(200, first),
            OnNext(400, first with { BatteryLevel = 0.49 }),
            OnNext(600, first with { BatteryLevel = 0.49, IsCharging = true }));
    }

    [Test]
    public void Constructor_NonPositiveInterval_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new LinuxDeviceStateMonitor(new TestScheduler(), TimeSpan.Zero, _root));

        Assert.That(ex!.ParamName, Is.EqualTo("pollInterval"));
    }

    private LinuxDeviceStateMonitor Monitor() => new(new TestScheduler(), sysfsRoot: _root);

    private void Supply(string name, params (string File, string Content)[] files)
    {
        foreach (var (file, content) in files)
        {
            Write(Path.Combine("class", "power_supply", name, file), content + "\n");
        }
    }

    private void Interface(string name, int type, bool up, bool physical, bool wireless = false)
    {
        var dir = Path.Combine("class", "net", name);
        Write(Path.Combine(dir, "type"), $"{type}\n");
        Write(Path.Combine(dir, "operstate"), up ? "up\n" : "down\n");
        if (physical)
        {
            Directory.CreateDirectory(Path.Combine(_root, dir, "device"));
        }

        if (wireless)
        {
            Directory.CreateDirectory(Path.Combine(_root, dir, "wireless"));
        }
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static void At(TestScheduler scheduler, long ticks, Action action) => scheduler.ScheduleAbsolute(ticks, action);
}
