using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MessageSync.Simulators;

/// <summary>The three simulators, each a Kestrel server on its own loopback URL.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly List<WebApplication> _apps;

    private SimulatorHost(SimulatorOptions options, PylonSimulator pylon, HelpdeskSimulator helpdesk, CordSimulator cord, List<WebApplication> apps, Uri[] urls)
    {
        Options = options;
        Pylon = pylon;
        Helpdesk = helpdesk;
        Cord = cord;
        _apps = apps;
        PylonUrl = urls[0];
        HelpdeskUrl = urls[1];
        CordUrl = urls[2];
    }

    public SimulatorOptions Options { get; }

    /// <summary>Base URL of the Pylon API (paths like <c>/issues/{id}/messages</c> hang off it).</summary>
    public Uri PylonUrl { get; }

    /// <summary>Base URL of the helpdesk (the API is under <c>/helpdesk/api/messages</c>).</summary>
    public Uri HelpdeskUrl { get; }

    /// <summary>Base URL of Cord (the API is under <c>/v1/</c>).</summary>
    public Uri CordUrl { get; }

    public PylonSimulator Pylon { get; }

    public HelpdeskSimulator Helpdesk { get; }

    public CordSimulator Cord { get; }

    /// <summary>Starts all three. A null URL binds http://127.0.0.1:0 (a free port); the bound URLs are on the properties.</summary>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions? options = null, Uri? pylonUrl = null, Uri? helpdeskUrl = null, Uri? cordUrl = null, CancellationToken ct = default)
    {
        options ??= new SimulatorOptions();
        var pylon = new PylonSimulator(options);
        var helpdesk = new HelpdeskSimulator(options);
        var cord = new CordSimulator(options);
        var apps = new List<WebApplication>();
        var urls = new Uri[3];
        try
        {
            var sims = new (SimulatorBase Sim, Uri? Url)[] { (pylon, pylonUrl), (helpdesk, helpdeskUrl), (cord, cordUrl) };
            for (var i = 0; i < sims.Length; i++)
            {
                var app = Build(sims[i].Sim, sims[i].Url ?? new Uri("http://127.0.0.1:0"));
                apps.Add(app);
                await app.StartAsync(ct);
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                urls[i] = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
            }
        }
        catch
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }

            throw;
        }

        if (string.Equals(options.Seed, "demo", StringComparison.OrdinalIgnoreCase))
        {
            DemoSeed.Apply(pylon, helpdesk, cord);
        }
        else if (options.Seed is not null)
        {
            throw new ArgumentException($"unknown seed '{options.Seed}' (known: demo)", nameof(options));
        }

        return new SimulatorHost(options, pylon, helpdesk, cord, apps, urls);
    }

    /// <summary>A helpdesk session JWT (HS256, claims sub, role, exp) signed with the simulator's secret.</summary>
    public string MintHelpdeskToken(string role = "agent", TimeSpan? lifetime = null, string userId = "agent_sim") =>
        HelpdeskSimulator.MintToken(Options, role, lifetime, userId);

    /// <summary>A Cord server token (HS512, payload app_id, iat, exp) signed with the app secret.</summary>
    public string MintCordToken(TimeSpan? lifetime = null) => CordSimulator.MintToken(Options, lifetime);

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Cord.DisposeWebhooksAsync();
    }

    private static WebApplication Build(SimulatorBase sim, Uri url)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseRouting();
        sim.Map(app);
        return app;
    }

    internal static JsonObject Credentials(SimulatorOptions o) => new()
    {
        ["pylon_token"] = o.PylonToken,
        ["helpdesk_jwt_secret"] = o.HelpdeskJwtSecret,
        ["cord_app_id"] = o.CordAppId,
        ["cord_secret"] = o.CordSecret,

        // A ready-made agent session for the demo worker (the helpdesk Messages API takes a session JWT only).
        ["helpdesk_agent_token"] = HelpdeskSimulator.MintToken(o, "agent", TimeSpan.FromDays(7), "agent_messagesync"),
    };
}
