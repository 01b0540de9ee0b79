using System.Text.Json.Nodes;
using ReactiveSync.Transport;

namespace ReactiveSync.Http.Wire;

/// <summary>One result of a push answer as read from the wire.</summary>
internal sealed class PushResultDto
{
    public Guid? OperationId { get; set; }

    public PushStatus? Status { get; set; }

    public long? Version { get; set; }

    public JsonNode? ServerData { get; set; }

    public bool? ServerDeleted { get; set; }

    public DateTimeOffset? ServerUpdatedAt { get; set; }

    public ErrorDto? Error { get; set; }
}
