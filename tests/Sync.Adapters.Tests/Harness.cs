using System.Globalization;
using MessageSync.Adapters.People;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MessageSync.Adapters.Tests;

/// <summary>The simulators over real HTTP on loopback plus the adapters registered as the worker registers them.</summary>
public sealed class Harness : IAsyncDisposable
{
    private Harness(SimulatorHost host, ServiceProvider services)
    {
        Host = host;
        Services = services;
    }

    public SimulatorHost Host { get; }

    public ServiceProvider Services { get; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public IMessageSystem System(SystemId id) => Services.GetServices<IMessageSystem>().Single(s => s.System == id);

    /// <summary>
    /// Budgets run 1000x faster than real time unless a test says otherwise: most tests are not about pacing, and the
    /// simulator's limits are off for them.
    /// </summary>
    public static async Task<Harness> StartAsync(SimulatorOptions? options = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var host = await SimulatorHost.StartAsync(options ?? new SimulatorOptions { RateLimits = RateLimitMode.Off });
        var config = new Dictionary<string, string?>
        {
            ["Sync:Pylon:BaseUrl"] = host.PylonUrl.ToString(),
            ["Sync:Pylon:ApiToken"] = host.Options.PylonToken,
            ["Sync:Pylon:RetryBaseDelay"] = "00:00:00.010",
            ["Sync:Pylon:BudgetScale"] = "1000",
            ["Sync:Helpdesk:BaseUrl"] = host.HelpdeskUrl.ToString(),
            ["Sync:Helpdesk:SessionToken"] = host.MintHelpdeskToken(),
            ["Sync:Helpdesk:RetryBaseDelay"] = "00:00:00.010",
            ["Sync:Cord:BaseUrl"] = host.CordUrl.ToString(),
            ["Sync:Cord:ApplicationId"] = host.Options.CordAppId,
            ["Sync:Cord:Secret"] = host.Options.CordSecret,
            ["Sync:Cord:RetryBaseDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSyncAdapters(configuration);
        configure?.Invoke(services);
        return new Harness(host, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    /// <summary>Registers <paramref name="people"/> as <c>Sync:People</c> (what the worker does from its configuration).</summary>
    public static Action<IServiceCollection> People(params Person[] people) =>
        services => services.AddSingleton<IPeopleSource>(sp => new PeopleSource(sp, () => (people, people), sp.GetRequiredService<ILogger<PeopleSource>>()));

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>Canonical values for tests.</summary>
public static class Canon
{
    public static ConversationLink Link(string? pylon = "iss_1", string? helpdesk = "tkt_1", string? cord = "th_1", bool cordVisible = false,
        ReplyDelivery delivery = ReplyDelivery.Origin, params string[] agents) => new()
    {
        Id = "link_1",
        PylonIssueId = pylon,
        HelpdeskTicketId = helpdesk,
        CordThreadId = cord,
        CordThreadCustomerVisible = cordVisible,
        CordAgentUserIds = agents,
        DeliverRepliesVia = delivery,
    };

    public static CanonicalMessage Message(MessageKind kind, string html = "<p>Hello there</p>", SystemId origin = SystemId.Helpdesk,
        Author? author = null, IReadOnlyList<Attachment>? attachments = null) => new()
    {
        Id = Guid.CreateVersion7(),
        LinkId = "link_1",
        Origin = new MessageOrigin(origin, "ext_" + Guid.NewGuid().ToString("N")[..8]),
        Author = author ?? new Author("Ana Ruiz", "ana@example.com", IsCustomer: kind == MessageKind.CustomerMessage),
        Kind = kind,
        BodyHtml = html,
        BodyText = html,
        Attachments = attachments ?? [],
        CreatedAt = DateTimeOffset.Parse("2025-01-01T10:00:00Z", CultureInfo.InvariantCulture),
    };

    public static WriteRequest Write(ConversationLink link, CanonicalMessage message, MessageKind? targetKind = null, string? label = null, string? parent = null) => new()
    {
        Link = link,
        Message = message,
        TargetKind = targetKind ?? message.Kind,
        Label = label,
        ParentExternalId = parent,
    };
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A single canned response, for what the simulators cannot serve (a body missing required fields).</summary>
public sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public int Calls { get; private set; }

    public HttpRequestMessage? LastRequest { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Calls++;
        LastRequest = request;
        return Task.FromResult(respond(request));
    }
}
