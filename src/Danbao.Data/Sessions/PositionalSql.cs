using System.Text.RegularExpressions;
using Npgsql;

namespace Danbao.Data.Sessions;

/// <summary>
/// A statement written with named parameters (<c>@amount_fen</c>), turned into positional ones
/// (<c>$1</c>) once, when the store's type loads. Npgsql sends positional SQL as it is; named SQL it
/// parses and rewrites on every execution, which cost 6% of a RecordRepayment's server CPU.
/// The store still adds its parameters by name; <see cref="Command"/> puts them in placeholder order.
/// </summary>
public sealed partial class PositionalSql
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);

    public PositionalSql(string namedSql)
    {
        var names = new List<string>();
        Text = Placeholder().Replace(namedSql, m =>
        {
            var index = names.IndexOf(m.Groups[1].Value);
            if (index < 0)
            {
                names.Add(m.Groups[1].Value);
                index = names.Count - 1;
            }
            return "$" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        for (var i = 0; i < names.Count; i++)
        {
            _slots[names[i]] = i;
        }
    }

    /// <summary>The positional text.</summary>
    public string Text { get; }

    /// <summary>A batch command of this statement; add its parameters by name, then <see cref="Bind"/> it.</summary>
    public NpgsqlBatchCommand Command() => new(Text);

    /// <summary>
    /// Puts the parameters added by name in placeholder order and unnames them; every placeholder
    /// must get exactly one parameter.
    /// </summary>
    public NpgsqlBatchCommand Bind(NpgsqlBatchCommand command)
    {
        var slots = new NpgsqlParameter[_slots.Count];
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            if (!_slots.TryGetValue(parameter.ParameterName, out var slot) || slots[slot] is not null)
            {
                throw new InvalidOperationException($"Parameter @{parameter.ParameterName} is unknown or given twice for: {Text}");
            }
            slots[slot] = parameter;
        }
        command.Parameters.Clear();
        foreach (var parameter in slots)
        {
            if (parameter is null)
            {
                throw new InvalidOperationException($"A placeholder has no parameter in: {Text}");
            }
            parameter.ParameterName = "";
            command.Parameters.Add(parameter);
        }
        return command;
    }

    // @name, not inside a word or after another @ (no e-mail addresses or operators in our SQL).
    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Placeholder();
}
