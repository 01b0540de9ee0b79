using ReactiveSync.Background;

namespace ReactiveSync.Tests.Background;

public class BackgroundSyncConfigurationTests
{
    [Test]
    public void Default_HasDocumentedValues()
    {
        var config = BackgroundSyncConfiguration.Default;

        Assert.Multiple(() =>
        {
            Assert.That(config.PeriodicSyncEnabled, Is.True);
            Assert.That(config.SyncInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(config.BackgroundSyncInterval, Is.EqualTo(TimeSpan.FromMinutes(15)));
            Assert.That(config.WifiOnlyBackground, Is.False);
            Assert.That(config.BatteryOptimized, Is.True);
            Assert.That(config.MinimumBatteryLevel, Is.EqualTo(0.15));
            Assert.That(config.RequiresCharging, Is.False);
            Assert.That(config.RequiredNetwork, Is.EqualTo(NetworkRequirement.Any));
            Assert.That(config.TaskBackoffInitialDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(config.TaskBackoffMaxDelay, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(config.TaskBackoffMultiplier, Is.EqualTo(2));
            Assert.That(config.Validate(), Is.SameAs(config));
        });
    }

    private static IEnumerable<TestCaseData> InvalidConfigurations()
    {
        var d = BackgroundSyncConfiguration.Default;
        yield return new TestCaseData(d with { SyncInterval = TimeSpan.Zero }, "SyncInterval").SetName("{m}(SyncInterval: SyncInterval = TimeSpan.Zero)");
        yield return new TestCaseData(d with { SyncInterval = TimeSpan.FromSeconds(-1) }, "SyncInterval").SetName("{m}(SyncInterval: SyncInterval = TimeSpan.FromSeconds(-1))");
        yield return new TestCaseData(d with { SyncInterval = TimeSpan.FromMinutes(20) }, "BackgroundSyncInterval").SetName("{m}(BackgroundSyncInterval: SyncInterval = TimeSpan.FromMinutes(20))");
        yield return new TestCaseData(d with { MinimumBatteryLevel = -0.1 }, "MinimumBatteryLevel").SetName("{m}(MinimumBatteryLevel: MinimumBatteryLevel = -0.1)");
        yield return new TestCaseData(d with { MinimumBatteryLevel = 1.01 }, "MinimumBatteryLevel").SetName("{m}(MinimumBatteryLevel: MinimumBatteryLevel = 1.01)");
        yield return new TestCaseData(d with { MinimumBatteryLevel = double.NaN }, "MinimumBatteryLevel").SetName("{m}(MinimumBatteryLevel: MinimumBatteryLevel = double.NaN)");
        yield return new TestCaseData(d with { RequiredNetwork = (NetworkRequirement)9 }, "RequiredNetwork").SetName("{m}(RequiredNetwork: RequiredNetwork = (NetworkRequirement)9)");
        yield return new TestCaseData(d with { TaskBackoffInitialDelay = TimeSpan.Zero }, "TaskBackoffInitialDelay").SetName("{m}(TaskBackoffInitialDelay: TaskBackoffInitialDelay = TimeSpan.Zero)");
        yield return new TestCaseData(d with { TaskBackoffMaxDelay = TimeSpan.FromSeconds(10) }, "TaskBackoffMaxDelay").SetName("{m}(TaskBackoffMaxDelay: TaskBackoffMaxDelay = TimeSpan.FromSeconds(10))");
        yield return new TestCaseData(d with { TaskBackoffMultiplier = 0.5 }, "TaskBackoffMultiplier").SetName("{m}(TaskBackoffMultiplier: TaskBackoffMultiplier = 0.5)");
        yield return new TestCaseData(d with { TaskBackoffMultiplier = double.PositiveInfinity }, "TaskBackoffMultiplier").SetName("{m}(TaskBackoffMultiplier: TaskBackoffMultiplier = double.PositiveInfinity)");
    }

    [TestCaseSource(nameof(InvalidConfigurations))]
    public void Validate_InvalidField_ThrowsNamingIt(BackgroundSyncConfiguration config, string field)
    {
        var ex = Assert.Throws<BackgroundSyncConfigurationException>(() => config.Validate());

        Assert.That(ex!.Field, Is.EqualTo(field));
        Assert.That(ex.ParamName, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith($"BackgroundSyncConfiguration.{field} "));
    }

    [Test]
    public void Validate_BoundaryValues_Accepted()
    {
        var config = BackgroundSyncConfiguration.Default with
        {
            BackgroundSyncInterval = TimeSpan.FromSeconds(30),
            MinimumBatteryLevel = 0,
            TaskBackoffMaxDelay = TimeSpan.FromSeconds(30),
            TaskBackoffMultiplier = 1,
        };

        Assert.That(config.Validate(), Is.SameAs(config));
        Assert.That((config with { MinimumBatteryLevel = 1 }).Validate().MinimumBatteryLevel, Is.EqualTo(1));
    }
}
