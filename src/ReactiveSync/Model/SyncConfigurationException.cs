namespace ReactiveSync.Model;

/// <summary>Thrown when an engine is built with an invalid <see cref="SyncConfiguration"/>; names the field and its value.</summary>
public sealed class SyncConfigurationException : ArgumentException
{
    /// <summary>Creates the exception for one invalid field.</summary>
    public SyncConfigurationException(string field, object? value, string rule)
        : base($"SyncConfiguration.{field} {rule}; got {value ?? "null"}.", field)
    {
        Field = field;
        Value = value;
    }

    /// <summary>The invalid field's name, e.g. <c>BatchSize</c>.</summary>
    public string Field { get; }

    /// <summary>The rejected value.</summary>
    public object? Value { get; }
}
