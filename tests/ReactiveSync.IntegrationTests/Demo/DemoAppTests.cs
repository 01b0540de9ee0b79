using ReactiveSync.Demo;
using ReactiveSync.IntegrationTests.Support;

namespace ReactiveSync.IntegrationTests.Demo;

[Category("Integration")]
public sealed class DemoAppTests
{
    [Test]
    public async Task RunAsync_Quick_ConvergesExitsZeroAndDeletesItsTempFolder()
    {
        var before = DemoFolders();
        using var output = new StringWriter();
        var exitCode = await DemoApp.RunAsync(["--quick"], output);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), text);
            Assert.That(text, Does.Contain(DemoApp.ConvergedLine));
            Assert.That(text, Does.Contain("server started in-process at http://127.0.0.1:"));
            Assert.That(text, Does.Contain("LastModifiedWins: server's copy kept"));
            Assert.That(text, Does.Contain("LastModifiedWins: client's change sent again"));
            Assert.That(text, Does.Contain("Merge: merged three-way"));
            Assert.That(text, Does.Contain("uploaded \"Museum map.jpg\""));
            Assert.That(text, Does.Contain("PASS  Ana's laptop downloaded the other device's files"));
            Assert.That(text, Does.Contain("refused by the quota: Museum map.jpg"));
            Assert.That(text, Does.Not.Contain("FAIL "));
            Assert.That(DemoFolders().Except(before), Is.Empty, "the demo's temp folder is deleted");
        });
    }

    [Test]
    public async Task RunAsync_AgainstRunningServer_ConvergesWithoutStartingOne()
    {
        await using var server = await TestServer.StartAsync();
        using var output = new StringWriter();

        var exitCode = await DemoApp.RunAsync(["--quick", "--server", server.BaseAddress.ToString()], output);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), text);
            Assert.That(text, Does.Contain(DemoApp.ConvergedLine));
            Assert.That(text, Does.Contain($"using the server at {server.BaseAddress}"));
            Assert.That(text, Does.Not.Contain("server started in-process"));
            Assert.That(server.Metrics.OperationsApplied, Is.GreaterThanOrEqualTo(30));
        });
    }

    [Test]
    public async Task RunAsync_ServerThatDoesNotAnswer_FailsFastWithExitOne()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var output = new StringWriter();

        var exitCode = await DemoApp.RunAsync(["--quick", "--server", $"http://127.0.0.1:{port}/"], output);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output.ToString(), Does.Contain("does not answer /health"));
        });
    }

    [TestCase("--bogus")]
    [TestCase("--operations", "5")]
    [TestCase("--operations", "many")]
    [TestCase("--operations")]
    [TestCase("--fault-rate", "0.9")]
    [TestCase("--server", "ftp://example.org/")]
    [TestCase("--server", "http://127.0.0.1:1/", "--fault-rate", "0.1")]
    public async Task RunAsync_InvalidArguments_PrintsUsageAndExitsTwo(params string[] args)
    {
        using var output = new StringWriter();

        var exitCode = await DemoApp.RunAsync(args, output);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output.ToString(), Does.StartWith("error: "));
            Assert.That(output.ToString(), Does.Contain("Usage: dotnet run --project samples/ReactiveSync.Demo"));
        });
    }

    private static string[] DemoFolders() => Directory.GetDirectories(Path.GetTempPath(), "reactivesync-demo-*");
}
