using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

/// <summary>
/// How values are written, the same on every engine so one SQL text and one row mapping serve both: times are UTC
/// ISO-8601 text of fixed width (text order is time order, and rows stay readable in the sqlite3 and psql shells), ids are
/// text (Microsoft.Data.Sqlite would bind a Guid as a blob, PostgreSQL would want uuid), enums are snake_case names.
/// </summary>
internal static class StateDb
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static DateTimeOffset? ParseTimeOrNull(string? value) => value is null ? null : ParseTime(value);

    public static string Id(Guid value) => value.ToString("D");

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string value)
        where TEnum : struct, Enum =>
        Enum.Parse<TEnum>(value.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);

    public static string System(SystemId system) => Name(system);

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T FromJson<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"Stored JSON did not hold a {typeof(T).Name}.");
}
