using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Cord;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class CordTokenProviderTests
{
    private static string B64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void Server_token_matches_an_independently_built_HS512_jwt()
    {
        // Built by hand from Cord's published algorithm: base64url(header).base64url(payload), HMAC-SHA512 with the secret.
        const string header = """{"alg":"HS512","typ":"JWT"}""";
        const string payload = """{"app_id":"my-app","iat":1700000000,"exp":1700000300}""";
        var input = B64Url(Encoding.UTF8.GetBytes(header)) + "." + B64Url(Encoding.UTF8.GetBytes(payload));
        var expected = input + "." + B64Url(HMACSHA512.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes(input)));

        var token = CordTokenProvider.Mint("my-app", "s3cret", DateTimeOffset.FromUnixTimeSeconds(1700000000), TimeSpan.FromMinutes(5));

        Assert.Equal(expected, token);
    }

    [Fact]
    public void Token_is_cached_and_renewed_before_expiry()
    {
        var time = new ManualTime(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        var provider = new CordTokenProvider(Options.Create(new CordOptions
        {
            ApplicationId = "a", Secret = "s", TokenLifetime = TimeSpan.FromMinutes(5), TokenRenewBefore = TimeSpan.FromSeconds(30),
        }), time);
        var first = provider.Current();
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(first, provider.Current());
        time.Advance(TimeSpan.FromSeconds(31));
        var renewed = provider.Current();
        Assert.NotEqual(first, renewed);
        Assert.Equal(CordTokenProvider.Mint("a", "s", time.GetUtcNow(), TimeSpan.FromMinutes(5)), renewed);
    }
}
