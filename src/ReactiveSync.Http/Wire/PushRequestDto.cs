namespace ReactiveSync.Http.Wire;

/// <summary>The body of <c>POST /sync/push</c>.</summary>
internal sealed record PushRequestDto(string ClientId, IReadOnlyList<OperationDto> Operations);
