using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveSync.Model;

/// <summary>
/// The kind of resource an operation touches: a small value over a string. The seed's kinds are
/// well-known values; apps add their own with <see cref="From"/>.
/// </summary>
[JsonConverter(typeof(ResourceTypeJsonConverter))]
public readonly record struct ResourceType
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 64;

    private readonly string? _value;

    private ResourceType(string value) => _value = value;

    /// <summary>The name as sent on the wire, e.g. <c>post</c>. The default value has an empty name and is invalid.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Blog posts and articles.</summary>
    public static ResourceType Post { get; } = new("post");

    /// <summary>Comments on posts.</summary>
    public static ResourceType Comment { get; } = new("comment");

    /// <summary>Direct messages.</summary>
    public static ResourceType Message { get; } = new("message");

    /// <summary>Educational resources.</summary>
    public static ResourceType Resource { get; } = new("resource");

    /// <summary>Community data.</summary>
    public static ResourceType Community { get; } = new("community");

    /// <summary>User profile information.</summary>
    public static ResourceType UserProfile { get; } = new("user_profile");

    /// <summary>Media files.</summary>
    public static ResourceType MediaAttachment { get; } = new("media_attachment");

    /// <summary>The seed's well-known kinds.</summary>
    public static IReadOnlyList<ResourceType> WellKnown { get; } =
        [Post, Comment, Message, Resource, Community, UserProfile, MediaAttachment];

    /// <summary>Whether this value has a valid name (the default value does not).</summary>
    public bool IsValid => _value is not null;

    /// <summary>
    /// Makes a resource type from its name: 1 to <see cref="MaxLength"/> characters of ASCII letters,
    /// digits, '_', '-' or '.'. Throws <see cref="ArgumentException"/> naming the value otherwise.
    /// </summary>
    public static ResourceType From(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"Resource type '{name}' is invalid: use 1 to {MaxLength} ASCII letters, digits, '_', '-' or '.'.",
                nameof(name));
        }

        return new ResourceType(name);
    }

    /// <summary>Whether <paramref name="name"/> would be accepted by <see cref="From"/>.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <inheritdoc/>
    public override string ToString() => Value;
}
