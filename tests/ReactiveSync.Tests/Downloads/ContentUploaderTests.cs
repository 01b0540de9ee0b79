using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Downloads;

public sealed class ContentUploaderTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-upload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private static OfflineOperation Upload(JsonNode? data) => new()
    {
        Id = Guid.NewGuid(),
        Type = OperationType.Upload,
        ResourceType = ResourceType.MediaAttachment,
        ResourceId = "m1",
        Data = data,
        CreatedAt = DateTimeOffset.UnixEpoch,
        ScheduledAt = DateTimeOffset.UnixEpoch,
        ClientTimestamp = DateTimeOffset.UnixEpoch,
    };

    [Test]
    public async Task UploadAsync_UploadOperation_StreamsFileAndAnswersOperationWithoutLocalPath()
    {
        var path = Path.Combine(_directory, "photo.png");
        var bytes = new byte[100_000];
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        var transport = new RecordingTransport();
        var op = Upload(ContentUploader.CreateOperationData(path, "image/png", new JsonObject { ["caption"] = "hi" }));

        var toPush = await new ContentUploader(transport).UploadAsync(op);

        Assert.Multiple(() =>
        {
            Assert.That(transport.Uploaded, Is.EqualTo(bytes));
            Assert.That(transport.ResourceId, Is.EqualTo("m1"));
            Assert.That(transport.ContentType, Is.EqualTo("image/png"));
            Assert.That(toPush.Data!.ToJsonString(), Is.EqualTo("""{"caption":"hi"}"""));
            Assert.That(toPush.Id, Is.EqualTo(op.Id));
        });
    }

    [Test]
    public async Task UploadAsync_MissingFile_ThrowsValidationNotRetryable()
    {
        var op = Upload(ContentUploader.CreateOperationData(Path.Combine(_directory, "gone.bin")));

        var ex = await Assert.ThrowsAsync<SyncException>(() => new ContentUploader(new RecordingTransport()).UploadAsync(op));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Validation));
            Assert.That(ex.Error.IsRetryable, Is.False);
        });
    }

    [Test]
    public async Task UploadAsync_DataWithoutLocalContent_ThrowsValidationNamingTheMember()
    {
        var ex = await Assert.ThrowsAsync<SyncException>(() => new ContentUploader(new RecordingTransport()).UploadAsync(Upload(new JsonObject { ["path"] = "/x" })));

        Assert.That(ex!.Error.Message, Does.Contain(ContentUploader.LocalContentMember));
    }

    [Test]
    public async Task UploadAsync_OtherOperationType_AnsweredUnchangedWithoutUpload()
    {
        var transport = new RecordingTransport();
        var op = Upload(new JsonObject()) with { Type = OperationType.Update };

        var result = await new ContentUploader(transport).UploadAsync(op);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.SameAs(op));
            Assert.That(transport.Uploaded, Is.Null);
        });
    }

    [Test]
    public void CreateOperationData_RelativePath_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => ContentUploader.CreateOperationData("photos/a.png"));

        Assert.That(ex!.ParamName, Is.EqualTo("localPath"));
    }

    private sealed class RecordingTransport : ISyncTransport
    {
        public byte[]? Uploaded { get; private set; }

        public string? ResourceId { get; private set; }

        public string? ContentType { get; private set; }

        public TimeSpan ServerClockOffset => TimeSpan.Zero;

        public Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            Uploaded = copy.ToArray();
            ResourceId = resourceId;
            ContentType = contentType;
        }
    }
}
