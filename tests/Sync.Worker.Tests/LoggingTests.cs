using MessageSync.Worker.Hosting;
using Serilog.Events;
using Serilog.Parsing;

namespace MessageSync.Worker.Tests;

public sealed class LoggingTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc.def-123", "Authorization: Bearer ***")]
    [InlineData("token eyJhbGciOiJIUzUxMiJ9.eyJhcHBfaWQiOiJ4In0.sig-nature_1 expired", "token *** expired")]
    public void Bearer_tokens_and_JWTs_are_masked_in_free_text(string text, string expected)
    {
        Assert.True(SecretMask.ContainsSecret(text));
        Assert.Equal(expected, SecretMask.Mask(text));
    }

    [Fact]
    public void Ordinary_text_is_left_alone()
    {
        Assert.False(SecretMask.ContainsSecret("Applied Created of 01a2 to Pylon"));
    }

    [Fact]
    public void Properties_named_like_secrets_never_reach_a_sink()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse("x"),
        [
            new LogEventProperty("ApiToken", new ScalarValue("pylon-secret")),
            new LogEventProperty("CordSecret", new ScalarValue("s3cr3t")),
            new LogEventProperty("Header", new ScalarValue("Bearer abc")),
            new LogEventProperty("LinkId", new ScalarValue("link-1")),
        ]);

        new SecretMaskingEnricher().Enrich(logEvent, null!);

        Assert.Equal("\"***\"", logEvent.Properties["ApiToken"].ToString());
        Assert.Equal("\"***\"", logEvent.Properties["CordSecret"].ToString());
        Assert.Equal("\"Bearer ***\"", logEvent.Properties["Header"].ToString());
        Assert.Equal("\"link-1\"", logEvent.Properties["LinkId"].ToString());
    }
}
