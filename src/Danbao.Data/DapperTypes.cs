using System.Data;
using System.Runtime.CompilerServices;
using Dapper;

namespace Danbao.Data;

/// <summary>
/// Npgsql 10 reads a PostgreSQL <c>date</c> as <see cref="DateOnly"/>; row classes that keep a
/// date in a <see cref="DateTime"/> member still map, through this handler. Registered once when
/// the assembly loads, before any query runs.
/// </summary>
internal static class DapperTypes
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The mapping must be in place before any query of any caller of this library runs.")]
    internal static void Register() => SqlMapper.AddTypeHandler(new DateTimeFromDate());

    private sealed class DateTimeFromDate : SqlMapper.TypeHandler<DateTime>
    {
        public override DateTime Parse(object value) => value switch
        {
            DateOnly date => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified),
            DateTime dateTime => dateTime,
            _ => Convert.ToDateTime(value, System.Globalization.CultureInfo.InvariantCulture),
        };

        public override void SetValue(IDbDataParameter parameter, DateTime value) => parameter.Value = value;
    }
}
