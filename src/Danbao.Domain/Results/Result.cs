using System.Diagnostics.CodeAnalysis;

namespace Danbao.Domain.Results;

#pragma warning disable CA1000 // Result<T>.Ok/Refuse are the idiomatic factories

/// <summary>A value or a refusal. Domain decisions return this rather than throwing.</summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    public Refusal? Refusal { get; }

    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsOk => Refusal is null;

    /// <summary>The value; throws <see cref="DomainRefusalException"/> if this is a refusal.</summary>
    public T Value => Refusal is null ? _value! : throw new DomainRefusalException(Refusal);

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Refuse(Refusal refusal) => new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));

    public static implicit operator Result<T>(T value) => Ok(value);

    public static implicit operator Result<T>(Refusal refusal) => Refuse(refusal);

    public Result<TOut> Map<TOut>(Func<T, TOut> map) => IsOk ? Result<TOut>.Ok(map(_value!)) : Result<TOut>.Refuse(Refusal);

    public Result<TOut> Then<TOut>(Func<T, Result<TOut>> next) => IsOk ? next(_value!) : Result<TOut>.Refuse(Refusal);

    public override string ToString() => IsOk ? $"Ok({_value})" : $"Refused({Refusal})";
}

/// <summary>Unit value for checks that either pass or refuse.</summary>
public readonly record struct Unit
{
    public static readonly Unit Value;
}
