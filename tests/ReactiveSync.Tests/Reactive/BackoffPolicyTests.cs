using ReactiveSync.Model;
using ReactiveSync.Reactive;

namespace ReactiveSync.Tests.Reactive;

public class BackoffPolicyTests
{
    [Test]
    public void Constructor_ValidValues_KeepsThemAndDefaultsMaxRetryAfterToMaxDelay()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(2), 3, TimeSpan.FromMinutes(1), 4, 0.25);

        Assert.Multiple(() =>
        {
            Assert.That(policy.InitialDelay, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(policy.Multiplier, Is.EqualTo(3));
            Assert.That(policy.MaxDelay, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(policy.MaxRetries, Is.EqualTo(4));
            Assert.That(policy.Jitter, Is.EqualTo(0.25));
            Assert.That(policy.MaxRetryAfter, Is.EqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public void Constructor_ExplicitMaxRetryAfter_IsKept()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), 3, maxRetryAfter: TimeSpan.FromMinutes(10));

        Assert.That(policy.MaxRetryAfter, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void Constructor_SameValues_AreEqual()
    {
        Assert.That(
            new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), 3, 0.1),
            Is.EqualTo(new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), 3, 0.1, TimeSpan.FromMinutes(1))));
    }

    private static IEnumerable<TestCaseData> InvalidArguments()
    {
        var second = TimeSpan.FromSeconds(1);
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(TimeSpan.FromTicks(-1), 2, second, 3)), "initialDelay");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 0.5, second, 3)), "multiplier");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, double.NaN, second, 3)), "multiplier");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, double.PositiveInfinity, second, 3)), "multiplier");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second / 2, 3)), "maxDelay");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second, -1)), "maxRetries");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second, 3, -0.1)), "jitter");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second, 3, 1.1)), "jitter");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second, 3, double.NaN)), "jitter");
        yield return new TestCaseData(new Action(() => _ = new BackoffPolicy(second, 2, second, 3, 0, TimeSpan.FromTicks(-1))), "maxRetryAfter");
    }

    [TestCaseSource(nameof(InvalidArguments))]
    public void Constructor_InvalidValue_ThrowsNamingTheParameter(Action construct, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => construct());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo(parameter));
            Assert.That(ex.Message, Does.Contain(parameter));
        });
    }

    [Test]
    public void FromConfiguration_Default_MapsEveryField()
    {
        var policy = BackoffPolicy.FromConfiguration(SyncConfiguration.Default);

        Assert.That(policy, Is.EqualTo(new BackoffPolicy(
            TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(5), 3, 0.1, TimeSpan.FromMinutes(5))));
        Assert.That(BackoffPolicy.Default, Is.EqualTo(policy));
    }

    [Test]
    public void FromConfiguration_CustomValues_MapsEveryField()
    {
        var configuration = SyncConfiguration.Default with
        {
            InitialRetryDelay = TimeSpan.FromMilliseconds(250),
            BackoffMultiplier = 1.5,
            MaxRetryDelay = TimeSpan.FromSeconds(40),
            MaxRetries = 7,
            RetryJitter = 0.3,
        };

        Assert.That(BackoffPolicy.FromConfiguration(configuration), Is.EqualTo(new BackoffPolicy(
            TimeSpan.FromMilliseconds(250), 1.5, TimeSpan.FromSeconds(40), 7, 0.3, TimeSpan.FromSeconds(40))));
    }

    private static IEnumerable<TestCaseData> InvalidConfigurations()
    {
        var d = SyncConfiguration.Default;
        yield return new TestCaseData(d with { InitialRetryDelay = TimeSpan.FromTicks(-1) }, nameof(SyncConfiguration.InitialRetryDelay));
        yield return new TestCaseData(d with { BackoffMultiplier = 0.9 }, nameof(SyncConfiguration.BackoffMultiplier));
        yield return new TestCaseData(d with { MaxRetryDelay = TimeSpan.FromMilliseconds(10) }, nameof(SyncConfiguration.MaxRetryDelay));
        yield return new TestCaseData(d with { MaxRetries = -1 }, nameof(SyncConfiguration.MaxRetries));
        yield return new TestCaseData(d with { RetryJitter = 2 }, nameof(SyncConfiguration.RetryJitter));
    }

    [TestCaseSource(nameof(InvalidConfigurations))]
    public void FromConfiguration_InvalidField_ThrowsNamingTheConfigurationField(SyncConfiguration configuration, string field)
    {
        var ex = Assert.Throws<SyncConfigurationException>(() => BackoffPolicy.FromConfiguration(configuration));
        Assert.That(ex!.Field, Is.EqualTo(field));
    }

    [Test]
    public void FromConfiguration_Null_Throws()
    {
        Assert.That(() => BackoffPolicy.FromConfiguration(null!),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("configuration"));
    }
}
