using ReactiveSync.Downloads;

namespace ReactiveSync.Tests.Downloads;

public sealed class ContentFileNamesTests
{
    private static readonly string[] HostileIds =
    [
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        "/etc/passwd",
        "C:\\Windows\\win.ini",
        "CON",
        "NUL",
        "aux.txt",
        "COM1",
        "file\0name",
        ".",
        "..",
        "a/b/c",
        new string('x', 10_000),
        "Doc",
        "doc",
        "DOC",
        "名前",
    ];

    [Test]
    public void FinalPath_HostileIds_StayDirectlyInsideTheRoot()
    {
        var files = new ContentFileNames(Path.Combine(Path.GetTempPath(), "root"));

        foreach (var id in HostileIds)
        {
            foreach (var path in new[] { files.FinalPath(id), files.PartialPath(id) })
            {
                Assert.Multiple(() =>
                {
                    Assert.That(Path.GetDirectoryName(Path.GetFullPath(path)), Is.EqualTo(files.Root), id);
                    Assert.That(Path.GetFileName(path), Does.Match("^[0-9a-f]{64}\\.(bin|part)$"), id);
                });
            }
        }
    }

    [Test]
    public void FinalPath_IdsDifferingOnlyInCase_NeverCollideEvenIgnoringCase()
    {
        var files = new ContentFileNames("/tmp/root");

        var names = HostileIds.Select(id => files.FinalPath(id).ToUpperInvariant()).ToList();

        Assert.That(names, Is.Unique);
    }

    [Test]
    public void FinalPath_SameId_IsStable()
    {
        var files = new ContentFileNames("/tmp/root");

        Assert.That(files.FinalPath("abc"), Is.EqualTo(new ContentFileNames("/tmp/root").FinalPath("abc")));
    }
}
