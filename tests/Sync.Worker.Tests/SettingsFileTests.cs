using System.Text;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Tests;

public sealed class SettingsFileTests
{
    [Theory]
    [InlineData("{ \"Sync\": { \"Links\": [ { \"Id\": \"a\" }, { \"Id\": \"b\" \"PylonIssueId\": \"i\" } ] } }", "line 1, column 51, key Sync:Links:1:Id:")]
    [InlineData("{\n  \"Sync\": {\n    \"Transport\": \"InMemory\",\n", "line 4, column 1, key Sync:Transport:")]
    [InlineData("{ \"Sync\": { \"Transport\": \"A\", \"transport\": \"B\" } }", "line 1, column 31, key Sync:transport: the key 'transport' appears twice")]
    [InlineData("[ 1 ]", "line 1, column 1: the top level must be a JSON object")]
    [InlineData("", "the settings file is empty")]
    [InlineData(" \n // nothing but a comment\n", "the settings file is empty")]
    [InlineData("{ \"Sync\": { \"Polling\": { \"ActiveInterval\": 00:00:05 } } }", "key Sync:Polling:ActiveInterval:")]
    public void An_unusable_file_is_described_by_line_column_and_key(string json, string expected)
    {
        var problem = SettingsFile.Parse("/x/appsettings.json", Encoding.UTF8.GetBytes(json));

        Assert.NotNull(problem);
        Assert.StartsWith("/x/appsettings.json", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void Comments_trailing_commas_and_a_byte_order_mark_are_accepted_as_the_configuration_reads_them()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ms-settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, "// links\n{ \"Sync\": { \"Links\": [ { \"Id\": \"a\", }, ], /* done */ }, }", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            Assert.Null(SettingsFile.Problem(file, optional: false));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_file_is_a_problem_only_when_required()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ms-missing-{Guid.NewGuid():N}.json");

        Assert.Null(SettingsFile.Problem(missing, optional: true));
        Assert.Equal($"{missing}: the settings file does not exist", SettingsFile.Problem(missing, optional: false));
    }
}
