using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Queue;

public class Version7GuidTests
{
    [Test]
    public void Create_AnyTime_IsVersion7WithRfcVariantAndTheTimestamp()
    {
        var at = new DateTimeOffset(2025, 6, 1, 8, 30, 0, 123, TimeSpan.Zero);
        var guid = Version7Guid.Create(at);
        var bytes = guid.ToByteArray(bigEndian: true);
        var ms = bytes.Take(6).Aggregate(0L, (acc, b) => (acc << 8) | b);
        Assert.Multiple(() =>
        {
            Assert.That(guid.Version, Is.EqualTo(7));
            Assert.That(bytes[8] & 0xC0, Is.EqualTo(0x80));
            Assert.That(ms, Is.EqualTo(at.ToUnixTimeMilliseconds()));
        });
    }

    [Test]
    public void Create_LaterTimestamp_SortsAfterAsText()
    {
        var at = new DateTimeOffset(2025, 6, 1, 8, 30, 0, TimeSpan.Zero);
        var earlier = Version7Guid.Create(at);
        var later = Version7Guid.Create(at.AddMilliseconds(1));
        Assert.That(string.CompareOrdinal(earlier.ToString(), later.ToString()), Is.LessThan(0));
    }

    [Test]
    public void Create_ManyAtOneInstant_AllDistinct()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.That(Enumerable.Range(0, 100_000).Select(_ => Version7Guid.Create(at)).Distinct().Count(), Is.EqualTo(100_000));
    }
}
