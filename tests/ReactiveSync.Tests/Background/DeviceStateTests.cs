using ReactiveSync.Background;
using ReactiveSync.Network;

namespace ReactiveSync.Tests.Background;

public class DeviceStateTests
{
    [Test]
    public void Unknown_KnowsNothingAndIsInForeground()
    {
        Assert.That(DeviceState.Unknown, Is.EqualTo(new DeviceState
        {
            BatteryLevel = null,
            IsCharging = false,
            IsPowerSaver = false,
            NetworkKind = NetworkKind.Unknown,
            IsMetered = false,
            IsForeground = true,
        }));
    }

    [TestCase(-0.01)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void BatteryLevel_OutOfRange_ThrowsNamingIt(double level)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DeviceState { BatteryLevel = level });

        Assert.That(ex!.ParamName, Is.EqualTo(nameof(DeviceState.BatteryLevel)));
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    public void BatteryLevel_Bounds_Accepted(double level)
    {
        Assert.That(new DeviceState { BatteryLevel = level }.BatteryLevel, Is.EqualTo(level));
    }
}
