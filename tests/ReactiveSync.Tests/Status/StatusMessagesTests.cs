using System.Globalization;
using System.Resources;
using ReactiveSync.Model;
using ReactiveSync.Status;

namespace ReactiveSync.Tests.Status;

public class StatusMessagesTests
{
    private static readonly OfflineStatus Online = new() { IsOnline = true, AutoSyncEnabled = true };

    private static IEnumerable<TestCaseData> Table()
    {
        TestCaseData Case(OfflineStatus status, string expected, string name) => new TestCaseData(status, expected).SetName($"{{m}}: {name}");

        yield return Case(Online, "All changes synced", "all synced");
        yield return Case(Online with { PendingOperations = 1 }, "1 change pending sync", "pending singular");
        yield return Case(Online with { PendingOperations = 5 }, "5 changes pending sync", "pending plural");
        yield return Case(Online with { PendingOperations = 1234 }, "1,234 changes pending sync", "pending plural with grouping");
        yield return Case(Online with { IsSyncing = true, PendingOperations = 5 }, "Syncing...", "syncing");
        yield return Case(Online with { IsOnline = false, PendingOperations = 5 }, "Offline - Changes will sync when connected", "offline with pending");
        yield return Case(Online with { IsOnline = false, FailedOperations = 2 }, "Offline - Changes will sync when connected", "offline with failed");
        yield return Case(Online with { IsOnline = false }, "Offline", "offline with nothing pending");
        yield return Case(Online with { FailedOperations = 1 }, "1 change failed to sync", "failed singular");
        yield return Case(Online with { FailedOperations = 2 }, "2 changes failed to sync", "failed plural");
        yield return Case(Online with { Conflicts = 1 }, "1 conflict needs your attention", "conflict singular");
        yield return Case(Online with { Conflicts = 3 }, "3 conflicts need your attention", "conflicts plural");
        yield return Case(Online with { IsPaused = true }, "Sync paused", "paused");
        yield return Case(Online with { AuthenticationRequired = true }, "Sign in to sync your changes", "sign-in needed");

        // Precedence: sign-in > offline > syncing > conflicts > failed > paused > pending > synced.
        var everything = Online with
        {
            AuthenticationRequired = true, IsOnline = false, IsSyncing = true, Conflicts = 3, FailedOperations = 2, IsPaused = true, PendingOperations = 5,
        };
        yield return Case(everything, "Sign in to sync your changes", "sign-in beats offline");
        yield return Case(everything with { AuthenticationRequired = false }, "Offline - Changes will sync when connected", "offline beats syncing");
        yield return Case(everything with { AuthenticationRequired = false, IsOnline = true }, "Syncing...", "syncing beats conflicts");
        yield return Case(everything with { AuthenticationRequired = false, IsOnline = true, IsSyncing = false }, "3 conflicts need your attention", "conflicts beat failed");
        yield return Case(everything with { AuthenticationRequired = false, IsOnline = true, IsSyncing = false, Conflicts = 0 }, "2 changes failed to sync", "failed beats paused");
        yield return Case(everything with { AuthenticationRequired = false, IsOnline = true, IsSyncing = false, Conflicts = 0, FailedOperations = 0 }, "Sync paused", "paused beats pending");
    }

    [TestCaseSource(nameof(Table))]
    public void For_Status_GivesMessage(OfflineStatus status, string expected)
    {
        Assert.That(StatusMessages.For(status, CultureInfo.InvariantCulture), Is.EqualTo(expected));
    }

    [Test]
    public void For_CultureGiven_FormatsCountsInThatCulture()
    {
        var german = CultureInfo.GetCultureInfo("de-DE");

        // No German translation ships, so the words fall back to English; the number is German.
        Assert.That(StatusMessages.For(Online with { PendingOperations = 1234 }, german), Is.EqualTo("1.234 changes pending sync"));
    }

    [Test]
    public void For_NoCulture_UsesCurrentUICulture()
    {
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            Assert.That(StatusMessages.For(Online with { FailedOperations = 2 }), Is.EqualTo("2 changes failed to sync"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Test]
    public void ResourceManager_HoldsEveryKeyInTheResx()
    {
        var keys = new[]
        {
            "SignInRequired", "OfflineWithPending", "Offline", "Syncing", "ConflictsOne", "ConflictsMany",
            "FailedOne", "FailedMany", "Paused", "PendingOne", "PendingMany", "AllSynced",
        };

        Assert.That(keys.Select(k => StatusMessages.ResourceManager.GetString(k, CultureInfo.InvariantCulture)), Has.None.Null);
    }

    [Test]
    public void For_AppResources_OverrideKeysAndFallBackForMissingOnes()
    {
        var appResources = new DictionaryResourceManager(new Dictionary<string, string>
        {
            ["PendingMany"] = "{0} Änderungen warten",
        });

        Assert.Multiple(() =>
        {
            Assert.That(StatusMessages.For(Online with { PendingOperations = 7 }, appResources, CultureInfo.InvariantCulture), Is.EqualTo("7 Änderungen warten"));
            Assert.That(StatusMessages.For(Online with { PendingOperations = 1 }, appResources, CultureInfo.InvariantCulture), Is.EqualTo("1 change pending sync"));
        });
    }

    [Test]
    public void For_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => StatusMessages.For(null!));
        Assert.Throws<ArgumentNullException>(() => StatusMessages.For(Online, (ResourceManager)null!));
    }

    /// <summary>An app's translations, as a ResourceManager that answers from a dictionary.</summary>
    private sealed class DictionaryResourceManager(Dictionary<string, string> strings) : ResourceManager
    {
        public override string? GetString(string name, CultureInfo? culture) => strings.GetValueOrDefault(name);
    }
}
