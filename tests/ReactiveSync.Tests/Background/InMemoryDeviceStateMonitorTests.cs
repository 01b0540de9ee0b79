using System.Reactive.Concurrency;
using Microsoft.Reactive.Testing;
using ReactiveSync.Background;
using ReactiveSync.Network;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Background;

public class InMemoryDeviceStateMonitorTests
{
    [Test]
    public void State_ReplaysCurrentThenChangesSkippingDuplicates()
    {
        var scheduler = new TestScheduler();
        using var monitor = new InMemoryDeviceStateMonitor();
        monitor.SetNetwork(NetworkKind.WiFi);
        var wifi = monitor.Current;
        At(scheduler, 300, () => monitor.SetNetwork(NetworkKind.WiFi));
        At(scheduler, 400, () => monitor.SetForeground(false));
        At(scheduler, 500, () => monitor.SetState(wifi with { IsForeground = false }));

        var res = scheduler.Start(() => monitor.State);

        res.Messages.AssertEqual(
            OnNext(200, wifi),
            OnNext(400, wifi with { IsForeground = false }));
    }

    [Test]
    public void SetBattery_OutOfRange_ThrowsAndKeepsState()
    {
        using var monitor = new InMemoryDeviceStateMonitor(new DeviceState { BatteryLevel = 0.5 });

        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.SetBattery(2, isCharging: false));
        Assert.That(monitor.Current.BatteryLevel, Is.EqualTo(0.5));
    }

    private static void At(TestScheduler scheduler, long ticks, Action action) => scheduler.ScheduleAbsolute(ticks, action);
}
