using ReactiveSync.Demo;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await DemoApp.RunAsync(args, Console.Out, cancellation.Token);
