using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace MessageSync.Worker.Tests;

public sealed class ConfiguredLinkProviderTests : IDisposable
{
    private readonly List<string> _files = [];
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly IStateStore _store = Substitute.For<IStateStore>();

    [Fact]
    public async Task The_store_is_asked_at_most_once_a_second_and_a_stored_link_is_seen_after_it()
    {
        using var settings = Settings(out _, """{ "Sync": { "Links": [ { "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" } ] } }""");
        _store.ListLinksAsync(Arg.Any<CancellationToken>()).Returns(
            [],
            [new StoredLink(new ConversationLink { Id = "added", HelpdeskTicketId = "tkt_2", CordThreadId = "th_2" })]);
        var provider = new ConfiguredLinkProvider(settings, _store, _time);

        var first = await provider.GetLinksAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        var within = await provider.GetLinksAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var after = await provider.GetLinksAsync(CancellationToken.None);

        Assert.Equal(["one"], first.Select(l => l.Id));
        Assert.Same(first, within);
        Assert.Equal(["one", "added"], after.Select(l => l.Id));
        await _store.Received(2).ListLinksAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_reloaded_configuration_is_used_at_once()
    {
        using var settings = Settings(out var reload, """{ "Sync": { "Links": [ { "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" } ] } }""");
        _store.ListLinksAsync(Arg.Any<CancellationToken>()).Returns([]);
        var provider = new ConfiguredLinkProvider(settings, _store, _time);
        await provider.GetLinksAsync(CancellationToken.None);

        reload("""{ "Sync": { "Links": [ { "Id": "two", "HelpdeskTicketId": "tkt_2", "CordThreadId": "th_2" } ] } }""");
        var links = await provider.GetLinksAsync(CancellationToken.None);

        Assert.Equal(["two"], links.Select(l => l.Id));
    }

    [Fact]
    public async Task A_configured_link_wins_over_a_stored_one_with_the_same_id()
    {
        using var settings = Settings(out _, """{ "Sync": { "Links": [ { "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" } ] } }""");
        _store.ListLinksAsync(Arg.Any<CancellationToken>()).Returns([new StoredLink(new ConversationLink { Id = "one", HelpdeskTicketId = "tkt_9", CordThreadId = "th_9" })]);

        var links = await new ConfiguredLinkProvider(settings, _store, _time).GetLinksAsync(CancellationToken.None);

        Assert.Equal("iss_1", Assert.Single(links).PylonIssueId);
    }

    public void Dispose() => _files.ForEach(File.Delete);

    private SyncSettings Settings(out Action<string> reload, string json)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ms-links-{Guid.NewGuid():N}.json");
        _files.Add(file);
        File.WriteAllText(file, json);
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();
        var initial = configuration.GetSection("Sync").Get<SyncOptions>()!;
        reload = text =>
        {
            File.WriteAllText(file, text);
            configuration.Reload();
        };
        return new SyncSettings(configuration, Microsoft.Extensions.Options.Options.Create(initial), new SyncOptionsValidator(), NullLogger<SyncSettings>.Instance);
    }
}
