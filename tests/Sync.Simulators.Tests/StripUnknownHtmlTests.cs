using System.Net;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators.Tests;

/// <summary><see cref="SimulatorOptions.StripUnknownHtml"/>: Pylon and the helpdesk store HTML as a product's editor may.</summary>
public sealed class StripUnknownHtmlTests
{
    private const string Sent = "<p>Hi <a href=\"https://x.example/a\" class=\"c\" data-x=\"1\">there</a> <img src=\"https://x.example/i.png\" alt=\"i\"></p>"
        + "<p><span data-sync-id=\"0196a3c1-0000-7000-8000-000000000001\"></span></p>";

    private const string Stored = "<p>Hi <a href=\"https://x.example/a\">there</a> <img src=\"https://x.example/i.png\" alt=\"i\"></p>";

    [Fact]
    public async Task Pylon_keeps_links_and_images_and_drops_unknown_attributes_and_empty_elements()
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, StripUnknownHtml = true });
        using var http = Http.Client(sims.PylonUrl, SimulatorDefaults.PylonToken);
        sims.Pylon.CreateIssue("iss_1", "contact_1", "c@example.com", "Carla");
        var first = sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");

        var reply = await http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(new JsonObject { ["body_html"] = Sent, ["message_id"] = first.Id }));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(Stored, sims.Pylon.GetMessages("iss_1")[^1].MessageHtml);
    }

    [Fact]
    public async Task The_helpdesk_does_the_same_and_by_default_both_store_what_they_are_sent()
    {
        await using var stripping = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, StripUnknownHtml = true });
        stripping.Helpdesk.CreateTicket("tkt_1");
        Assert.Equal(Stored, stripping.Helpdesk.AddMessage("tkt_1", SimMessageKind.Agent, Sent, sendEmail: false).Content);

        await using var verbatim = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        verbatim.Pylon.CreateIssue("iss_1");
        Assert.Equal(Sent, verbatim.Pylon.AddMessage("iss_1", SimMessageKind.Agent, Sent).MessageHtml);
    }
}
