using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>The engine downloads content for offline use from the in-memory server's content source.</summary>
public class SyncEngineDownloadTests
{
    private EngineHarness _h = null!;
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Path.Combine(Path.GetTempPath(), "rs-engine-dl-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public async Task DownloadForOfflineAsync_PulledResourceWithContent_FileHoldsServersBytes()
    {
        _h = await EngineHarness.StartAsync(contentRoot: _root);
        var bytes = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31)).ToArray();
        _h.Server.PutResource(ResourceType.Post, "f", new JsonObject { ["name"] = "map.jpg" });
        await _h.Server.UploadContentAsync("f", new MemoryStream(bytes), "image/jpeg", CancellationToken.None);
        await _h.Engine.SyncNowAsync();

        var record = (await _h.Engine.DownloadForOfflineAsync(["f"])).Single();
        var manager = _h.Engine.DownloadManager!;
        await Eventually.WaitAsync(
            () => manager.Get("f")?.State == DownloadState.Completed, "f is downloaded", lastSeen: () => manager.Get("f")?.State);

        var done = manager.Get("f")!;
        Assert.Multiple(async () =>
        {
            Assert.That(record.FileSize, Is.EqualTo(bytes.Length), "the size came from the pulled resource");
            Assert.That(done.LocalPath, Does.StartWith(_root));
            Assert.That(await File.ReadAllBytesAsync(done.LocalPath!), Is.EqualTo(bytes));
        });
    }
}
