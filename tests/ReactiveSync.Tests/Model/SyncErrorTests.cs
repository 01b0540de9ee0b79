using ReactiveSync.Model;

namespace ReactiveSync.Tests.Model;

public class SyncErrorTests
{
    [TestCase(SyncErrorType.Network, true)]
    [TestCase(SyncErrorType.Authentication, false)]
    [TestCase(SyncErrorType.Validation, false)]
    [TestCase(SyncErrorType.Conflict, false)]
    [TestCase(SyncErrorType.Storage, false)]
    [TestCase(SyncErrorType.QuotaExceeded, false)]
    [TestCase(SyncErrorType.Unknown, false)]
    public void Of_Kind_HasSeedsRetryability(SyncErrorType type, bool retryable)
    {
        Assert.That(SyncError.Of(type, "x").IsRetryable, Is.EqualTo(retryable));
    }

    [Test]
    public void SyncException_CarriesErrorAndMessage()
    {
        var error = SyncError.Of(SyncErrorType.Network, "server unreachable");
        var ex = new SyncException(error);
        Assert.That(ex.Error, Is.SameAs(error));
        Assert.That(ex.Message, Is.EqualTo("server unreachable"));
    }
}
