using ReactiveSync.Model;

namespace ReactiveSync.Tests.Model;

public class SyncConfigurationTests
{
    [Test]
    public void Default_EqualsSeedDefaultConfig_FieldForField()
    {
        var config = SyncConfiguration.Default;

        Assert.Multiple(() =>
        {
            Assert.That(config.AutoSyncEnabled, Is.True);
            Assert.That(config.SyncInterval, Is.EqualTo(TimeSpan.FromMilliseconds(30000)));
            Assert.That(config.MaxRetries, Is.EqualTo(3));
            Assert.That(config.BackoffMultiplier, Is.EqualTo(2));
            Assert.That(config.InitialRetryDelay, Is.EqualTo(TimeSpan.FromMilliseconds(1000)));
            Assert.That(config.MaxRetryDelay, Is.EqualTo(TimeSpan.FromMilliseconds(300000)));
            Assert.That(config.BatchSize, Is.EqualTo(10));
            Assert.That(config.StorageQuotaMB, Is.EqualTo(100));
            Assert.That(config.StorageQuotaBytes, Is.EqualTo(100L * 1024 * 1024));
            Assert.That(config.PriorityWeights, Is.EquivalentTo(new Dictionary<SyncPriority, int>
            {
                [SyncPriority.Low] = 1,
                [SyncPriority.Medium] = 2,
                [SyncPriority.High] = 4,
                [SyncPriority.Critical] = 8,
            }));
            Assert.That(config.ConflictResolutionDefaults, Is.EquivalentTo(new Dictionary<ResourceType, ConflictResolutionStrategy>
            {
                [ResourceType.Post] = ConflictResolutionStrategy.LastModifiedWins,
                [ResourceType.Comment] = ConflictResolutionStrategy.ClientWins,
                [ResourceType.Message] = ConflictResolutionStrategy.ClientWins,
                [ResourceType.Resource] = ConflictResolutionStrategy.ServerWins,
                [ResourceType.Community] = ConflictResolutionStrategy.ServerWins,
                [ResourceType.UserProfile] = ConflictResolutionStrategy.Merge,
                [ResourceType.MediaAttachment] = ConflictResolutionStrategy.ServerWins,
            }));
        });
    }

    [Test]
    public void Default_MaxPushesInFlight_IsThree()
    {
        Assert.That(SyncConfiguration.Default.MaxPushesInFlight, Is.EqualTo(3));
    }

    [Test]
    public void Validate_Default_ReturnsSameConfiguration()
    {
        Assert.That(SyncConfiguration.Default.Validate(), Is.SameAs(SyncConfiguration.Default));
    }

    [Test]
    public void StrategyFor_AppResourceType_UsesFallback()
    {
        var config = SyncConfiguration.Default with { FallbackConflictResolution = ConflictResolutionStrategy.ServerWins };

        Assert.That(config.StrategyFor(ResourceType.From("lesson_plan")), Is.EqualTo(ConflictResolutionStrategy.ServerWins));
        Assert.That(config.StrategyFor(ResourceType.UserProfile), Is.EqualTo(ConflictResolutionStrategy.Merge));
    }

    private static IEnumerable<TestCaseData> InvalidConfigurations()
    {
        var d = SyncConfiguration.Default;
        yield return Case(d with { SyncInterval = TimeSpan.FromSeconds(-1) }, "SyncInterval", "-00:00:01");
        yield return Case(d with { SyncInterval = TimeSpan.Zero }, "SyncInterval", "00:00:00");
        yield return Case(d with { BatchSize = 0 }, "BatchSize", "0");
        yield return Case(d with { MaxRetryDelay = TimeSpan.FromMilliseconds(500) }, "MaxRetryDelay", "00:00:00.5");
        yield return Case(d with { BackoffMultiplier = 0.5 }, "BackoffMultiplier", "0.5");
        yield return Case(d with { BackoffMultiplier = double.NaN }, "BackoffMultiplier", "NaN");
        yield return Case(d with { StorageQuotaMB = 0 }, "StorageQuotaMB", "0");
        yield return Case(d with { MaxRetries = -1 }, "MaxRetries", "-1");
        yield return Case(d with { InitialRetryDelay = TimeSpan.FromSeconds(-1) }, "InitialRetryDelay", "-00:00:01");
        yield return Case(
            d with { PriorityWeights = new Dictionary<SyncPriority, int> { [SyncPriority.Low] = 1, [SyncPriority.Medium] = 2, [SyncPriority.High] = 4 } },
            "PriorityWeights",
            "Critical");
        yield return Case(
            d with { PriorityWeights = new Dictionary<SyncPriority, int> { [SyncPriority.Low] = 0, [SyncPriority.Medium] = 2, [SyncPriority.High] = 4, [SyncPriority.Critical] = 8 } },
            "PriorityWeights",
            "Low=0");
        yield return Case(d with { RetryJitter = 1.5 }, "RetryJitter", "1.5");
        yield return Case(d with { QueueChangeDebounce = TimeSpan.FromSeconds(-2) }, "QueueChangeDebounce", "-00:00:02");
        yield return Case(d with { MaxOperationDataBytes = 0 }, "MaxOperationDataBytes", "0");
        yield return Case(d with { PullPageSize = 0 }, "PullPageSize", "0");
        yield return Case(d with { PullInterval = TimeSpan.Zero }, "PullInterval", "00:00:00");
        yield return Case(d with { MaxConcurrentDownloads = 0 }, "MaxConcurrentDownloads", "0");
        yield return Case(d with { WifiOnlyDownloadsAboveBytes = -5 }, "WifiOnlyDownloadsAboveBytes", "-5");
        yield return Case(d with { MaxConflictRetries = -1 }, "MaxConflictRetries", "-1");
        yield return Case(d with { MaxPushesInFlight = 0 }, "MaxPushesInFlight", "0");
        yield return Case(d with { MaxPushesInFlight = 9 }, "MaxPushesInFlight", "9");
        yield return Case(d with { FallbackConflictResolution = (ConflictResolutionStrategy)42 }, "FallbackConflictResolution", "42");
        yield return Case(
            d with { ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy> { [ResourceType.Post] = (ConflictResolutionStrategy)9 } },
            "ConflictResolutionDefaults",
            "post=9");

        static TestCaseData Case(SyncConfiguration config, string field, string value) =>
            new TestCaseData(config, field, value).SetName($"Validate_Invalid{field}_{value}_ThrowsNamingFieldAndValue");
    }

    [TestCaseSource(nameof(InvalidConfigurations))]
    public void Validate_InvalidField_ThrowsNamingFieldAndValue(SyncConfiguration config, string field, string value)
    {
        var ex = Assert.Throws<SyncConfigurationException>(() => config.Validate());

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Field, Is.EqualTo(field));
            Assert.That(ex.ParamName, Is.EqualTo(field));
            Assert.That(ex.Message, Does.Contain(field));
            Assert.That(ex.Message, Does.Contain(value));
        });
    }
}
