using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ReactiveSync.Downloads;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Server;

namespace ReactiveSync.Demo;

/// <summary>One run of the demo: the server, two devices, a day of work in phases, the sync, the report.</summary>
internal sealed class DemoRun(DemoOptions options, IDemoView view, string root)
{
    // The clock offset a device learns from the server's Date header is off by up to two seconds, always behind (one-second
    // resolution, and Kestrel refreshes its cached Date once a second), plus the answer's latency. So the laptop's
    // afternoon edit of the science-fair post is made this long after the server stored the phone's lunch edit of it,
    // and "later" is beyond doubt however the laptop's offset is rounded in the evening.
    private static readonly TimeSpan ClockOffsetError = TimeSpan.FromSeconds(2.2);

    // With a server not started here the demo cannot read when the phone's edit was stored: wait this long after lunch.
    private static readonly TimeSpan LaterThanLunch = TimeSpan.FromSeconds(2.5);

    // With the default rate this seed fails the first push after lunch with a 5xx and cuts the fourth request's answer.
    private const int FaultSeed = 37;

    // The laptop's storage quota for offline content: two of the phone's three files fit, the third is refused.
    private const int LaptopQuotaMB = 1;

    private readonly Stopwatch _clock = new();
    private string[] _serverTypes = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var settleTimeout = options.Quick ? TimeSpan.FromSeconds(45) : TimeSpan.FromSeconds(90);
        ReactiveSyncServerHost? host = null;
        var devices = new List<Device>();
        try
        {
            Uri server;
            if (options.Server is null)
            {
                host = await ReactiveSyncServerHost.StartAsync(
                    Path.Combine(root, "server"),
                    o =>
                    {
                        o.TokenValidator = static (token, _) => ValueTask.FromResult(token.StartsWith("demo-token-", StringComparison.Ordinal));
                    },
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                server = host.BaseAddress;
                view.Log(null, $"server started in-process at {server} (SQLite under {root})", LogKind.Success);
            }
            else
            {
                server = options.Server;
                if (await HealthAsync(server, cancellationToken).ConfigureAwait(false) is { } problem)
                {
                    view.Log(null, $"the server at {server} does not answer /health: {problem}", LogKind.Error);
                    return 1;
                }

                view.Log(null, $"using the server at {server}; device files under {root}", LogKind.Info);
            }

            var configuration = SyncConfiguration.Default with
            {
                // Short waits so a day fits in seconds; the retry budget is large enough that injected faults only delay.
                InitialRetryDelay = TimeSpan.FromMilliseconds(100),
                MaxRetryDelay = TimeSpan.FromSeconds(1),
                MaxRetries = 10,
                QueueChangeDebounce = TimeSpan.FromMilliseconds(150),
                BatchSize = 10,
            };
            // Both devices open their SQLite files at once: each is a separate app on its own disk in the story.
            var creating = new[]
            {
                Device.CreateAsync("phone", "Ana's phone", Path.Combine(root, "phone"), server, configuration, view, () => _serverTypes, cancellationToken),
                Device.CreateAsync(
                    "laptop", "Ana's laptop", Path.Combine(root, "laptop"), server, configuration with { StorageQuotaMB = LaptopQuotaMB }, view, () => _serverTypes, cancellationToken),
            };
            try
            {
                await Task.WhenAll(creating).ConfigureAwait(false);
            }
            finally
            {
                // Keep whichever was built, so the finally below disposes it even when the other failed.
                devices.AddRange(creating.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            var (phone, laptop) = (devices[0], devices[1]);
            var day = new Workday(options.Operations);
            var shares = day.RandomShares;

            view.Phase("Before school", "online: the phone creates Ana's profile and two class posts; both devices get them");
            phone.SetOnline(true);
            laptop.SetOnline(true);
            await day.SetupAsync(phone, cancellationToken).ConfigureAwait(false);
            var setupOk = false;
            await view.RunLiveAsync(devices, async () =>
            {
                setupOk = await phone.WaitUntilSettledAsync(settleTimeout, cancellationToken).ConfigureAwait(false)
                    && await laptop.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (!setupOk)
            {
                view.Log(null, "the setup did not sync; stopping", LogKind.Error);
                return 1;
            }

            foreach (var device in devices)
            {
                if (await day.CheckSharedAsync(device, cancellationToken).ConfigureAwait(false) is { } problem)
                {
                    view.Log(null, problem, LogKind.Error);
                    return 1;
                }
            }

            view.Log(null, "both devices hold the profile and both posts at version 1 in their replicas", LogKind.Success);

            view.Phase("Morning, offline", $"no network at school: the phone queues {shares.PhoneMorning + 6} operations (3 file uploads among them), the laptop {shares.LaptopMorning + 2}");
            phone.SetOnline(false);
            laptop.SetOnline(false);
            await Task.WhenAll(day.PhoneMorningAsync(phone, cancellationToken), day.LaptopMorningAsync(laptop, cancellationToken)).ConfigureAwait(false);
            LogQueues(devices);

            if (host is not null && options.FaultRate > 0)
            {
                // From here on the server misbehaves: two thirds of the faults are 500/503 answers, one third connections
                // cut mid-answer after the push was applied (the resend is answered "duplicate").
                // The seed restarts the fault sequence here, so the lunch sync meets the same faults in every run.
                host.Options.Faults.Seed = FaultSeed;
                host.Options.Faults.ServerErrorRate = options.FaultRate * 2 / 3;
                host.Options.Faults.AbortRate = options.FaultRate / 3;
                view.Log(null, string.Create(CultureInfo.InvariantCulture, $"server faults on: {options.FaultRate:P0} of requests fail (5xx or a cut connection)"), LogKind.Warning);
            }

            view.Phase("Lunch", "the phone finds Wi-Fi and syncs its morning; the laptop stays offline");
            phone.SetOnline(true);
            var lunchOk = false;
            await view.RunLiveAsync(devices, async () =>
            {
                lunchOk = await phone.WaitUntilSettledAsync(settleTimeout, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var lunchDone = _clock.Elapsed;
            phone.SetOnline(false);

            view.Phase("Afternoon, offline", $"back in class: the phone queues {shares.PhoneAfternoon}, the laptop {shares.LaptopAfternoon + 2} more operations (a photo upload among them)");
            await Task.WhenAll(
                day.PhoneAfternoonAsync(phone, cancellationToken),
                day.LaptopAfternoonAsync(laptop, ct => UntilLaterThanLunchAsync(host, day, lunchDone, ct), cancellationToken)).ConfigureAwait(false);
            LogQueues(devices);

            view.Phase("Evening", "both devices are home on Wi-Fi and sync at once");
            phone.SetOnline(true);
            laptop.SetOnline(true);
            var eveningOk = false;
            await view.RunLiveAsync(devices, async () =>
            {
                var settled = await Task.WhenAll(devices.Select(d => d.WaitUntilSettledAsync(settleTimeout, cancellationToken))).ConfigureAwait(false);

                // Each device syncs once more, so each has pulled what the other pushed last.
                var caughtUp = await Task.WhenAll(devices.Select(d => d.CatchUpAsync(cancellationToken))).ConfigureAwait(false);
                eveningOk = settled.All(s => s) && caughtUp.All(c => c);
            }).ConfigureAwait(false);

            view.Phase("Evening, downloads", $"each device downloads the other's attachments for offline use; the laptop has a {LaptopQuotaMB} MB quota");
            var downloadsOk = false;
            await view.RunLiveAsync(devices, async () =>
            {
                foreach (var device in devices)
                {
                    var wanted = day.Attachments.Where(a => a.Owner != device.Name).Select(a => (a.ResourceId, a.Title)).ToList();
                    await device.DownloadAsync(wanted, cancellationToken).ConfigureAwait(false);
                }

                var done = await Task.WhenAll(devices.Select(d => d.WaitForDownloadsAsync(settleTimeout, cancellationToken))).ConfigureAwait(false);
                downloadsOk = done.All(d => d);

                // Progress reaches listeners throttled (at most every 100 ms): let the last of it arrive before the check.
                await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);

            view.Phase("Convergence check", "both devices' views against the server's copy");
            if (host is not null)
            {
                host.Options.Faults.Disable();
                view.Log(null, "server faults off for the check", LogKind.Info);
            }

            var report = await CheckAsync(host, server, day, devices, lunchOk && eveningOk && downloadsOk, cancellationToken).ConfigureAwait(false);
            view.Report(report);
            return report.AllPassed ? 0 : 1;
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }

            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<DemoReport> CheckAsync(
        ReactiveSyncServerHost? host, Uri server, Workday day, IReadOnlyList<Device> devices, bool settled, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<ResourceKey, ResourceState> truth;
        string serverSource;
        if (host is not null)
        {
            truth = await Convergence.ReadStoreAsync(host.Store, cancellationToken).ConfigureAwait(false);
            serverSource = "the server's SQLite store, read directly";
        }
        else
        {
            using var reader = new HttpSyncTransport(server, new StaticAccessTokenProvider("demo-token-check"), System.Reactive.Concurrency.DefaultScheduler.Instance);
            truth = await ServerFeed.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            serverSource = "the server's pull feed, read by a third client";
        }

        _serverTypes = [.. truth.Keys.Select(k => k.Type).Distinct(StringComparer.Ordinal)];
        var checks = new List<(string Check, bool Passed, string Detail)>
        {
            ("both devices synced everything, and finished their downloads, within the time allowed", settled, settled ? "yes" : "no: see the log above"),
        };
        var converged = true;
        var rows = new List<DeviceRow>();
        foreach (var device in devices)
        {
            var stats = await device.Engine.OperationQueue.GetQueueStatsAsync(cancellationToken).ConfigureAwait(false);
            var queueEmpty = stats.Total == 0;
            var local = await device.LocalView.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (equal, detail) = Convergence.Compare(truth, local);
            var ok = queueEmpty && equal;
            converged &= ok;
            var queueText = queueEmpty ? "queue empty" : $"queue holds {stats.Total} ({stats.Pending} pending, {stats.Failed} failed, {stats.Conflict} parked)";
            checks.Add(($"{device.Label} equals the server", ok, $"{queueText}; {detail}"));

            var c = device.Counters;
            var outcomes = new List<string>();
            if (c.ClientKept > 0)
            {
                outcomes.Add($"{c.ClientKept} client kept");
            }

            if (c.ServerKept > 0)
            {
                outcomes.Add($"{c.ServerKept} server kept");
            }

            if (c.Merged > 0)
            {
                outcomes.Add($"{c.Merged} merged");
            }

            rows.Add(new DeviceRow(
                device.Label, c.Queued, c.Coalesced, c.Cancelled, c.Batches, c.RequestFailures, c.Applied, c.Duplicates, c.Retried + c.RetriedByUser,
                c.Conflicts, string.Join(", ", outcomes), c.PulledChanges, stats.Total));
        }

        checks.AddRange(day.Verify(truth));
        foreach (var device in devices)
        {
            checks.Add(await CheckDownloadsAsync(device, day, cancellationToken).ConfigureAwait(false));
        }

        ServerTotals? totals = null;
        if (host is not null)
        {
            var m = host.Metrics;
            totals = new ServerTotals(
                m.PushRequests, m.OperationsApplied, m.Duplicates, m.Conflicts, m.Rejected, m.PullRequests, m.FaultsInjected,
                await host.Store.GetLastSequenceAsync(cancellationToken).ConfigureAwait(false));
        }

        return new DemoReport
        {
            Devices = rows,
            Elapsed = _clock.Elapsed,
            Server = totals,
            ServerResources = truth.Count,
            ServerSource = serverSource,
            DeviceViewSource = devices[0].LocalView.Description,
            Checks = checks,
            Converged = converged,
        };
    }

    /// <summary>
    /// Checks a device's downloads: those that fit its quota in the order asked are complete and byte-identical to the
    /// file the other device attached; the rest were refused.
    /// </summary>
    private static async Task<(string, bool, string)> CheckDownloadsAsync(Device device, Workday day, CancellationToken cancellationToken)
    {
        var manager = device.Engine.DownloadManager!;
        var quota = device.Engine.Configuration.StorageQuotaBytes;
        var reserved = 0L;
        var fits = new List<string>();
        var refused = new List<string>();
        var problems = new List<string>();
        foreach (var attachment in day.Attachments.Where(a => a.Owner != device.Name))
        {
            var record = manager.Get(attachment.ResourceId);
            var shouldFit = reserved + attachment.Size <= quota;
            if (shouldFit)
            {
                reserved += attachment.Size;
                if (record is { State: DownloadState.Completed, LocalPath: { } path } && File.Exists(path)
                    && SHA256.HashData(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(attachment.Sha256))
                {
                    fits.Add(attachment.Title);
                }
                else
                {
                    problems.Add($"\"{attachment.Title}\" is {record?.State.ToString() ?? "missing"}{(record?.State == DownloadState.Completed ? " but differs from the original" : string.Empty)}");
                }
            }
            else if (record?.State == DownloadState.Failed)
            {
                refused.Add(attachment.Title);
            }
            else
            {
                problems.Add($"\"{attachment.Title}\" should not fit the quota but is {record?.State.ToString() ?? "missing"}");
            }
        }

        var usage = await manager.GetStorageUsageAsync(cancellationToken).ConfigureAwait(false);
        var detail = $"{fits.Count} complete ({string.Join(", ", fits)})"
            + (refused.Count > 0 ? $"; refused by the quota: {string.Join(", ", refused)}" : string.Empty)
            + $"; {usage.TotalSize / 1024} KB of {usage.QuotaBytes / 1024} KB used"
            + (problems.Count > 0 ? $"; {string.Join("; ", problems)}" : string.Empty);
        return ($"{device.Label} downloaded the other device's files, byte-identical, within its {quota / (1024 * 1024)} MB quota", problems.Count == 0, detail);
    }

    private static async Task<string?> HealthAsync(Uri server, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync("health", cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer within 5 s";
        }
    }

    private void LogQueues(IEnumerable<Device> devices)
    {
        foreach (var device in devices)
        {
            var stats = device.Stats;
            device.Log(
                $"{device.Counters.Queued} operations queued so far; {stats.Pending} waiting in the queue ({device.Counters.Coalesced} folded into earlier ones, {device.Counters.Cancelled} drafts cancelled)",
                LogKind.Info);
        }
    }

    /// <summary>
    /// Waits until an edit made now is later, by the laptop's corrected clock, than the server's update of the science-fair
    /// post from the phone's lunch sync: <see cref="ClockOffsetError"/> after the server stored it (read from the in-process
    /// server's store), or <see cref="LaterThanLunch"/> after lunch with a server of its own.
    /// </summary>
    private async Task UntilLaterThanLunchAsync(ReactiveSyncServerHost? host, Workday day, TimeSpan lunchDone, CancellationToken cancellationToken)
    {
        if (host is not null
            && await host.Store.GetResourceAsync(ResourceType.Post.Value, day.ScienceFairPostId, cancellationToken).ConfigureAwait(false) is { } fair)
        {
            var wait = fair.UpdatedAt + ClockOffsetError - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await WaitUntilAsync(lunchDone + LaterThanLunch, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilAsync(TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }
}
