namespace ReactiveSync.Collections;

/// <summary>A value that may be absent, also for value types and for items that may legitimately be null.</summary>
/// <typeparam name="T">The type of the value.</typeparam>
public readonly struct Optional<T> : IEquatable<Optional<T>>
{
    private readonly T _value;

    private Optional(T value)
    {
        _value = value;
        HasValue = true;
    }

    /// <summary>The empty optional.</summary>
    public static Optional<T> None => default;

    /// <summary>Whether a value is present.</summary>
    public bool HasValue { get; }

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">No value is present.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The optional has no value.");

    /// <summary>Wraps a value.</summary>
    public static Optional<T> Some(T value) => new(value);

    /// <summary>Wraps a value.</summary>
    public static implicit operator Optional<T>(T value) => new(value);

    /// <summary>The value, or <paramref name="fallback"/> when none is present.</summary>
    public T ValueOr(T fallback) => HasValue ? _value : fallback;

    /// <inheritdoc/>
    public bool Equals(Optional<T> other) =>
        HasValue == other.HasValue && (!HasValue || EqualityComparer<T>.Default.Equals(_value, other._value));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Optional<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HasValue ? HashCode.Combine(true, _value) : 0;

    /// <inheritdoc/>
    public override string ToString() => HasValue ? $"Some({_value})" : "None";

    /// <summary>Value equality.</summary>
    public static bool operator ==(Optional<T> left, Optional<T> right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Optional<T> left, Optional<T> right) => !left.Equals(right);
}
