using System.Net;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class ApiConnectionTests
{
    [Fact]
    public async Task Missing_required_fields_are_a_typed_malformed_response()
    {
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"data":[{"author":{"name":"x"}}]}""") });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new PylonClient(http, Options.Create(new PylonOptions()));
        var ex = await Assert.ThrowsAsync<TransientApiException>(() => client.GetMessagesPageAsync("iss", null, CancellationToken.None));
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_larger_than_the_cap_is_refused_with_a_typed_error()
    {
        var huge = """{"data":[],"pad":" """ + new string('x', 200_000) + "\"}";
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(huge) });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new PylonClient(http, Options.Create(new PylonOptions { MaxResponseBytes = 64 * 1024 }));
        await Assert.ThrowsAsync<PermanentApiException>(() => client.GetMessagesPageAsync("iss", null, CancellationToken.None));
    }
}
