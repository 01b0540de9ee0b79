using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Demo;

/// <summary>
/// A teacher's day on two devices: what each one queues, and what the server should hold at the end. The random part is
/// seeded, so every run queues the same kinds of work; the fixed part makes the conflicts the demo is about.
/// </summary>
/// <remarks>
/// Before school the phone creates the profile and two class posts and syncs; both devices then hold them at version 1
/// in their replicas, which give every later edit its base version and base copy. Offline in the morning, both edit the field-trip post's title (the phone's edit reaches the server first, at lunch,
/// so the laptop's older edit loses under LastModifiedWins) and the profile (different fields and one field in common:
/// Merge keeps both, the laptop's value for the shared field). In the afternoon, after the phone's lunch sync, the
/// laptop edits the science-fair post's title: the newer edit, so it wins, and the phone's body edit stays. The phone
/// attaches three files offline (uploaded when it syncs), the laptop one; each device then downloads the other's.
/// </remarks>
internal sealed class Workday(int operations)
{
    /// <summary>Operations of the fixed part: setup 3, phone morning 3 edits and 3 uploads, laptop morning 2, laptop afternoon 1 edit and 1 upload.</summary>
    public const int FixedOperations = 13;

    private const string PhoneTripTitle = "Field trip to the science museum: permission slips due Friday";
    private const string LaptopTripTitle = "Field trip: museum visit moved to Thursday";
    private const string PhoneFairBody = "Projects go on display in the gym from 9:00. Families welcome after lunch!";
    private const string LaptopFairTitle = "Science fair: projects due Monday, judging on Wednesday";
    private const string PhoneBio = "Grade 5 teacher: math and science, chess club on Tuesdays.";
    private const string LaptopSchool = "Lincoln Elementary School, Room 12";
    private const string PhoneAvatar = "orange";
    private const string LaptopAvatar = "purple";

    private readonly HashSet<ResourceKey> _created = [];
    private readonly HashSet<ResourceKey> _cancelled = [];
    private readonly Lock _gate = new();
    private readonly List<Attachment> _attachments = [];
    private string _profileId = string.Empty;
    private string _tripId = string.Empty;
    private string _fairId = string.Empty;

    /// <summary>The files the devices attached: who, the resource, a name, the local file, its size and SHA-256.</summary>
    public IReadOnlyList<Attachment> Attachments
    {
        get
        {
            lock (_gate)
            {
                return [.. _attachments];
            }
        }
    }

    /// <summary>The operations the random part of each phase queues: phone morning, laptop morning, phone afternoon, laptop afternoon.</summary>
    public (int PhoneMorning, int LaptopMorning, int PhoneAfternoon, int LaptopAfternoon) RandomShares
    {
        get
        {
            var random = Math.Max(0, operations - FixedOperations);
            var phoneMorning = random * 35 / 100;
            var laptopMorning = random * 35 / 100;
            var phoneAfternoon = random * 15 / 100;
            return (phoneMorning, laptopMorning, phoneAfternoon, random - phoneMorning - laptopMorning - phoneAfternoon);
        }
    }

    /// <summary>Before school, online: the phone creates the profile and two class posts.</summary>
    public async Task SetupAsync(Device phone, CancellationToken cancellationToken)
    {
        var profile = new JsonObject
        {
            ["displayName"] = TeacherContent.Teacher,
            ["bio"] = "Grade 5 teacher.",
            ["school"] = "Lincoln Elementary",
            ["subjects"] = new JsonArray("math", "science"),
            ["avatarColor"] = "teal",
        };
        _profileId = await CreateAsync(phone, ResourceType.UserProfile, profile, SyncPriority.Medium, "Ana's profile", cancellationToken).ConfigureAwait(false);

        var trip = Post("Field trip to the science museum", "We visit the museum next week. Bring a packed lunch.", "5A", "parents");
        _tripId = await CreateAsync(phone, ResourceType.Post, trip, SyncPriority.Medium, "Field trip", cancellationToken).ConfigureAwait(false);

        var fair = Post("Science fair", "Start thinking about your project, teams of two.", "5A", "class");
        _fairId = await CreateAsync(phone, ResourceType.Post, fair, SyncPriority.Medium, "Science fair", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks that <paramref name="device"/> holds the three shared resources at a server version after the setup sync
    /// (its replica gives its edits their base), and names them for its logs.
    /// </summary>
    public async Task<string?> CheckSharedAsync(Device device, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var (type, id, title) in new[]
        {
            (ResourceType.UserProfile, _profileId, "Ana's profile"),
            (ResourceType.Post, _tripId, "Field trip"),
            (ResourceType.Post, _fairId, "Science fair"),
        })
        {
            device.Remember(type, id, title);
            var local = await device.Engine.Resources.GetAsync(type, id, cancellationToken).ConfigureAwait(false);
            if (local?.ServerVersion is null)
            {
                missing.Add(title);
            }
        }

        return missing.Count == 0 ? null : $"{device.Label} does not hold {string.Join(", ", missing)} after the setup sync";
    }

    /// <summary>The phone's morning, offline: its share of work, with its edits of both posts and the profile in between.</summary>
    public async Task PhoneMorningAsync(Device phone, CancellationToken cancellationToken)
    {
        var author = new Author(this, phone, new Random(1001), "morning");
        var share = RandomShares.PhoneMorning;
        await author.WorkAsync(share / 3, cancellationToken).ConfigureAwait(false);
        await EditAsync(phone, ResourceType.Post, _tripId, new JsonObject { ["title"] = PhoneTripTitle }, cancellationToken).ConfigureAwait(false);
        await AttachAsync(phone, "Fractions worksheet.pdf", "application/pdf", 300 * 1024, _fairId, cancellationToken).ConfigureAwait(false);
        await author.WorkAsync(share / 3, cancellationToken).ConfigureAwait(false);
        await EditAsync(phone, ResourceType.Post, _fairId, new JsonObject { ["body"] = PhoneFairBody }, cancellationToken).ConfigureAwait(false);
        await EditAsync(phone, ResourceType.UserProfile, _profileId, new JsonObject { ["bio"] = PhoneBio, ["avatarColor"] = PhoneAvatar }, cancellationToken).ConfigureAwait(false);
        await AttachAsync(phone, "Science fair rubric.pdf", "application/pdf", 450 * 1024, _fairId, cancellationToken).ConfigureAwait(false);
        await author.WorkAsync(share - (2 * (share / 3)), cancellationToken).ConfigureAwait(false);
        await AttachAsync(phone, "Museum map.jpg", "image/jpeg", 600 * 1024, _tripId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The laptop's morning, offline: its share of work, with its own edits of the field-trip post and the profile.</summary>
    public async Task LaptopMorningAsync(Device laptop, CancellationToken cancellationToken)
    {
        var author = new Author(this, laptop, new Random(2002), "morning");
        var share = RandomShares.LaptopMorning;
        await EditAsync(laptop, ResourceType.Post, _tripId, new JsonObject { ["title"] = LaptopTripTitle }, cancellationToken).ConfigureAwait(false);
        await author.WorkAsync(share / 2, cancellationToken).ConfigureAwait(false);
        await EditAsync(laptop, ResourceType.UserProfile, _profileId, new JsonObject { ["school"] = LaptopSchool, ["avatarColor"] = LaptopAvatar }, cancellationToken).ConfigureAwait(false);
        await author.WorkAsync(share - (share / 2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The phone's afternoon, offline again after lunch.</summary>
    public Task PhoneAfternoonAsync(Device phone, CancellationToken cancellationToken) =>
        new Author(this, phone, new Random(3003), "afternoon").WorkAsync(RandomShares.PhoneAfternoon, cancellationToken);

    /// <summary>The "Science fair" post both devices edit offline; the laptop's afternoon title must be later than the phone's lunch sync.</summary>
    public string ScienceFairPostId => _fairId;

    /// <summary>The laptop's afternoon, still offline: its work and, later than the phone's lunch sync, its edit of the science-fair post.</summary>
    public async Task LaptopAfternoonAsync(Device laptop, Func<CancellationToken, Task> untilLaterThanLunch, CancellationToken cancellationToken)
    {
        var author = new Author(this, laptop, new Random(4004), "afternoon");
        var share = RandomShares.LaptopAfternoon;
        await author.WorkAsync(share / 2, cancellationToken).ConfigureAwait(false);
        await untilLaterThanLunch(cancellationToken).ConfigureAwait(false);
        await EditAsync(laptop, ResourceType.Post, _fairId, new JsonObject { ["title"] = LaptopFairTitle }, cancellationToken).ConfigureAwait(false);
        await AttachAsync(laptop, "Whiteboard photo.jpg", "image/jpeg", 250 * 1024, _fairId, cancellationToken).ConfigureAwait(false);
        await author.WorkAsync(share - (share / 2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the server's copy against the day: every resource created is there, every cancelled draft is not, and the
    /// conflicts ended as their strategies say. Answers one line per check.
    /// </summary>
    public IReadOnlyList<(string Check, bool Passed, string Detail)> Verify(IReadOnlyDictionary<ResourceKey, ResourceState> server)
    {
        var checks = new List<(string, bool, string)>();
        ResourceKey[] created, cancelled;
        lock (_gate)
        {
            created = [.. _created];
            cancelled = [.. _cancelled];
        }

        var missing = created.Where(key => !server.ContainsKey(key)).ToList();
        checks.Add(("nothing lost: every resource created on a device is on the server", missing.Count == 0,
            missing.Count == 0 ? $"{created.Length} of {created.Length}" : $"missing {missing.Count}: {string.Join(", ", missing.Take(3))}"));
        var present = cancelled.Where(server.ContainsKey).ToList();
        checks.Add(("drafts deleted offline never reached the server (create + delete cancelled)", present.Count == 0,
            present.Count == 0 ? $"{cancelled.Length} drafts" : $"{present.Count} on the server"));

        var trip = Field(server, ResourceType.Post, _tripId, "title");
        checks.Add(("field-trip post: the phone's edit (synced at lunch) beat the laptop's older one (LastModifiedWins)",
            trip == PhoneTripTitle, $"title \"{trip}\""));

        var fairTitle = Field(server, ResourceType.Post, _fairId, "title");
        var fairBody = Field(server, ResourceType.Post, _fairId, "body");
        checks.Add(("science-fair post: the laptop's later title won (LastModifiedWins), the phone's body stayed",
            fairTitle == LaptopFairTitle && fairBody == PhoneFairBody, $"title \"{fairTitle}\", body \"{Shorten(fairBody)}\""));

        var bio = Field(server, ResourceType.UserProfile, _profileId, "bio");
        var school = Field(server, ResourceType.UserProfile, _profileId, "school");
        var avatar = Field(server, ResourceType.UserProfile, _profileId, "avatarColor");
        checks.Add(("profile: Merge kept the phone's bio and the laptop's school; both changed the colour, the laptop's kept",
            bio == PhoneBio && school == LaptopSchool && avatar == LaptopAvatar, $"bio \"{Shorten(bio)}\", school \"{school}\", avatarColor {avatar}"));
        return checks;
    }

    private static JsonObject Post(string title, string body, string classId, string audience) => new()
    {
        ["title"] = title,
        ["body"] = body,
        ["classId"] = classId,
        ["audience"] = audience,
        ["author"] = TeacherContent.Teacher,
    };

    private static string? Field(IReadOnlyDictionary<ResourceKey, ResourceState> server, ResourceType type, string id, string field) =>
        server.TryGetValue(ResourceKey.Of(type, id), out var state) ? state.Data[field]?.ToString() : null;

    private static string? Shorten(string? text) => text is { Length: > 40 } ? text[..40] + "..." : text;

    private static async Task EditAsync(Device device, ResourceType type, string id, JsonObject patch, CancellationToken cancellationToken)
    {
        // No base given: the engine takes the base version and copy from the device's replica, as an app's edit would.
        var result = await device.QueueAsync(
            new OperationRequest { Type = OperationType.Update, ResourceType = type, ResourceId = id, Data = patch, Priority = SyncPriority.Medium },
            cancellationToken).ConfigureAwait(false);
        var against = result.Operation.BaseVersion is { } version ? $"against version {version} from its replica" : "with no base version known";
        device.Log($"edited {device.Describe(type, id)} offline: {string.Join(", ", patch.Select(p => p.Key))} ({against})", LogKind.Info);
    }

    /// <summary>Writes a file of <paramref name="size"/> seeded bytes on the device and queues its upload as a media attachment.</summary>
    private async Task AttachAsync(Device device, string title, string contentType, int size, string postId, CancellationToken cancellationToken)
    {
        var bytes = new byte[size];
        new Random(HashCode.Combine(title.Length, size)).NextBytes(bytes);
        var folder = Path.Combine(device.Folder, "files");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, title);
        await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        var id = Guid.CreateVersion7().ToString();
        var metadata = new JsonObject { ["title"] = title, ["postId"] = postId, ["contentType"] = contentType, ["size"] = size, ["from"] = device.Name };
        await device.QueueAsync(
            new OperationRequest
            {
                Type = OperationType.Upload,
                ResourceType = ResourceType.MediaAttachment,
                ResourceId = id,
                Data = ContentUploader.CreateOperationData(path, contentType, metadata),
                Priority = SyncPriority.Medium,
            },
            cancellationToken).ConfigureAwait(false);
        device.Remember(ResourceType.MediaAttachment, id, title);
        device.Log($"attached \"{title}\" ({size / 1024} KB) offline: its upload waits in the queue", LogKind.Info);
        lock (_gate)
        {
            _created.Add(ResourceKey.Of(ResourceType.MediaAttachment, id));
            _attachments.Add(new Attachment(device.Name, id, title, path, size, SHA256.HashData(bytes)));
        }
    }

    private async Task<string> CreateAsync(Device device, ResourceType type, JsonObject data, SyncPriority priority, string title, CancellationToken cancellationToken)
    {
        var result = await device.QueueAsync(
            new OperationRequest { Type = OperationType.Create, ResourceType = type, Data = data, Priority = priority },
            cancellationToken).ConfigureAwait(false);
        var id = result.Operation.ResourceId;
        device.Remember(type, id, title);
        lock (_gate)
        {
            _created.Add(ResourceKey.Of(type, id));
        }

        return id;
    }

    /// <summary>Writes one device's share of a phase: posts, comments (on posts created offline too), messages, worksheets, a deleted draft.</summary>
    private sealed class Author(Workday day, Device device, Random random, string phase)
    {
        private readonly List<(string Id, Guid CreateId, string Title)> _posts = [];

        public async Task WorkAsync(int count, CancellationToken cancellationToken)
        {
            var done = 0;
            while (done < count)
            {
                var roll = random.Next(100);
                if (roll < 14)
                {
                    done += await NewPostAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (roll < 22 && _posts.Count > 0)
                {
                    done += await EditPostAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (roll < 48)
                {
                    done += await CommentAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (roll < 86)
                {
                    done += await MessageAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (roll < 94 || count - done < 2)
                {
                    done += await WorksheetAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    done += await DraftAndDeleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<int> NewPostAsync(CancellationToken cancellationToken)
        {
            var topic = random.Pick(TeacherContent.Topics);
            var title = $"{random.Pick(TeacherContent.PostOpeners)} {topic}";
            var data = Post(title, $"Class {random.Pick(TeacherContent.Classes)}: {phase} update on {topic}.", random.Pick(TeacherContent.Classes), random.Next(2) == 0 ? "parents" : "class");
            data["tags"] = new JsonArray(random.Pick(TeacherContent.Subjects), phase);
            var result = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Post, Data = data, Priority = SyncPriority.Medium },
                cancellationToken).ConfigureAwait(false);
            Track(ResourceType.Post, result.Operation.ResourceId, title);
            _posts.Add((result.Operation.ResourceId, result.Operation.Id, title));
            return 1;
        }

        private async Task<int> EditPostAsync(CancellationToken cancellationToken)
        {
            // The post was created in this phase, so the edit folds into its pending Create (coalescing).
            var post = random.Pick(_posts);
            await device.QueueAsync(
                new OperationRequest
                {
                    Type = OperationType.Update,
                    ResourceType = ResourceType.Post,
                    ResourceId = post.Id,
                    Data = new JsonObject { ["body"] = $"Edited: {random.Pick(TeacherContent.Topics)} moved to {random.Pick(TeacherContent.Days)}." },
                },
                cancellationToken).ConfigureAwait(false);
            return 1;
        }

        private async Task<int> CommentAsync(CancellationToken cancellationToken)
        {
            string postId;
            IReadOnlyList<Guid> dependsOn = [];
            var choice = random.Next(3);
            if (choice == 0 && _posts.Count > 0)
            {
                // A comment on a post this device created offline: it waits for the post's Create.
                var post = random.Pick(_posts);
                postId = post.Id;
                dependsOn = [post.CreateId];
            }
            else
            {
                postId = choice == 1 ? day._tripId : day._fairId;
            }

            var body = random.Pick(TeacherContent.Comments);
            var data = new JsonObject { ["postId"] = postId, ["body"] = body, ["author"] = TeacherContent.Teacher, ["from"] = device.Name };
            var result = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Comment, Data = data, DependsOn = dependsOn },
                cancellationToken).ConfigureAwait(false);
            Track(ResourceType.Comment, result.Operation.ResourceId, body);
            return 1;
        }

        private async Task<int> MessageAsync(CancellationToken cancellationToken)
        {
            JsonObject data;
            string title;
            if (random.Next(3) == 0)
            {
                var colleague = random.Pick(TeacherContent.Colleagues);
                data = new JsonObject
                {
                    ["to"] = colleague,
                    ["body"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, random.Pick(TeacherContent.ColleagueTemplates), random.Pick(TeacherContent.Days)),
                };
                title = $"to {colleague}";
            }
            else
            {
                var parent = random.Pick(TeacherContent.Parents);
                data = new JsonObject
                {
                    ["to"] = parent,
                    ["body"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, random.Pick(TeacherContent.MessageTemplates), random.Pick(TeacherContent.Students)),
                };
                title = $"to {parent}";
            }

            data["from"] = TeacherContent.Teacher;
            var result = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Message, Data = data, Priority = SyncPriority.High },
                cancellationToken).ConfigureAwait(false);
            Track(ResourceType.Message, result.Operation.ResourceId, title);
            return 1;
        }

        private async Task<int> WorksheetAsync(CancellationToken cancellationToken)
        {
            var topic = random.Pick(TeacherContent.Topics);
            var data = new JsonObject
            {
                ["title"] = $"Worksheet: {topic}",
                ["subject"] = random.Pick(TeacherContent.Subjects),
                ["grade"] = 5,
                ["kind"] = "worksheet",
            };
            var result = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Resource, Data = data, Priority = SyncPriority.Low },
                cancellationToken).ConfigureAwait(false);
            Track(ResourceType.Resource, result.Operation.ResourceId, $"Worksheet: {topic}");
            return 1;
        }

        private async Task<int> DraftAndDeleteAsync(CancellationToken cancellationToken)
        {
            var data = Post("Draft: rainy-day recess plan", "Not sure about this one yet.", random.Pick(TeacherContent.Classes), "staff");
            var created = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Post, Data = data, Priority = SyncPriority.Low },
                cancellationToken).ConfigureAwait(false);
            var id = created.Operation.ResourceId;
            var deleted = await device.QueueAsync(
                new OperationRequest { Type = OperationType.Delete, ResourceType = ResourceType.Post, ResourceId = id, Priority = SyncPriority.Low },
                cancellationToken).ConfigureAwait(false);
            if (deleted.Outcome == QueueOutcome.Cancelled)
            {
                lock (day._gate)
                {
                    day._cancelled.Add(ResourceKey.Of(ResourceType.Post, id));
                }
            }

            return 2;
        }

        private void Track(ResourceType type, string id, string title)
        {
            device.Remember(type, id, title);
            lock (day._gate)
            {
                day._created.Add(ResourceKey.Of(type, id));
            }
        }
    }
}
