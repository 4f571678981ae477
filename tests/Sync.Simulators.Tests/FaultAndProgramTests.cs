using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators.Tests;

public sealed class FaultAndProgramTests
{
    [Fact]
    public async Task Injected_500_429_drop_and_malformed_faults_hit_the_endpoint_then_clear()
    {
        await using var sims = await SimulatorHost.StartAsync();
        sims.Pylon.CreateIssue("iss_1");
        using var http = Http.Client(sims.PylonUrl, SimulatorDefaults.PylonToken);
        var list = new Uri("issues/iss_1/messages", UriKind.Relative);

        sims.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { ServerErrorRate = 1, Count = 1 });
        Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync(list)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(list)).StatusCode);

        sims.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { RateLimitRate = 1, RetryAfterSeconds = 7 });
        var limited = await http.GetAsync(list);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);

        sims.Pylon.SetFault("*", new FaultSpec { DropRate = 1 });
        sims.Pylon.ClearFaults();
        sims.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { DropRate = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(list));

        sims.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { MalformedRate = 1 });
        var malformed = await http.GetAsync(list);
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformed.Content.ReadAsStream()));

        using var sim = Http.Client(sims.PylonUrl);
        Assert.Equal(HttpStatusCode.OK, (await sim.DeleteAsync(new Uri("_sim/faults", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(list)).StatusCode);
        var stats = sims.Pylon.GetStats(PylonSimulator.ListMessages);
        Assert.Equal((1, 1), (stats.ServerErrors, stats.RateLimited));
    }

    [Fact]
    public async Task Faults_set_over_http_apply_to_the_named_endpoint_only()
    {
        await using var sims = await SimulatorHost.StartAsync();
        sims.Helpdesk.CreateTicket("tkt_1");
        using var sim = Http.Client(sims.HelpdeskUrl);
        using var api = Http.Client(sims.HelpdeskUrl, sims.MintHelpdeskToken());

        var set = await sim.PostAsync(new Uri("_sim/faults", UriKind.Relative), Http.Json("""{"endpoint":"create","error_rate":1}"""));
        var bad = await sim.PostAsync(new Uri("_sim/faults", UriKind.Relative), Http.Json("""{"endpoint":"nope","error_rate":1}"""));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Http.Json("""{"ticket_id":"tkt_1","type":"note","content":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(new Uri("helpdesk/api/messages?ticket_id=tkt_1", UriKind.Relative))).StatusCode);
        Assert.Empty(sims.Helpdesk.GetMessages("tkt_1"));
    }

    [Fact]
    public async Task A_held_response_is_answered_only_on_release_and_the_write_has_taken_effect_meanwhile()
    {
        await using var sims = await SimulatorHost.StartAsync();
        sims.Pylon.CreateIssue("iss_1");
        var thread = sims.Pylon.CreateThread("iss_1", "Sync").Id;
        using var http = Http.Client(sims.PylonUrl, SimulatorDefaults.PylonToken);
        var hold = sims.Pylon.HoldNextResponse(PylonSimulator.Note);

        var pending = http.PostAsync(new Uri("issues/iss_1/note", UriKind.Relative), Http.Json($$"""{"body_html":"<p>held</p>","thread_id":"{{thread}}"}"""));
        var path = await hold.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("/issues/iss_1/note", path);
        Assert.Single(sims.Pylon.GetMessages("iss_1"), m => m.MessageHtml == "<p>held</p>");
        await Task.Delay(200);
        Assert.False(pending.IsCompleted, "the response is held until released");
        hold.Release();
        Assert.Equal(HttpStatusCode.OK, (await pending).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(new Uri("issues/iss_1/note", UriKind.Relative), Http.Json($$"""{"body_html":"<p>next</p>","thread_id":"{{thread}}"}"""))).StatusCode);
    }

    [Fact]
    public async Task A_held_response_whose_client_went_away_releases_nothing_and_the_next_request_is_served()
    {
        await using var sims = await SimulatorHost.StartAsync();
        sims.Cord.CreateThread("th_1");
        var hold = sims.Cord.HoldNextResponse(CordSimulator.CreateKey);
        using (var gone = new CancellationTokenSource())
        using (var http = Http.Client(sims.CordUrl, sims.MintCordToken()))
        {
            var pending = http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative),
                Http.Json("""{"id":"m1","authorID":"u1","content":[{"type":"p","children":[{"text":"held"}]}]}"""), gone.Token);
            await hold.Reached.WaitAsync(TimeSpan.FromSeconds(10));
            await gone.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        }

        Assert.Single(sims.Cord.GetMessages("th_1"));
        using var next = Http.Client(sims.CordUrl, sims.MintCordToken());
        Assert.Equal(HttpStatusCode.OK, (await next.GetAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative))).StatusCode);
        Assert.Throws<ArgumentException>(() => sims.Cord.HoldNextResponse("nope"));
    }

    [Fact]
    public void The_closed_pylon_schema_rejects_a_field_the_document_does_not_have()
    {
        // Guards the contract tests themselves: an extra field must fail validation.
        var schema = Contracts.Pylon("Message");
        Assert.NotEmpty(schema.Validate("""{"id":"m","is_private":false,"surprise":1}"""));
        Assert.Empty(schema.Validate("""{"id":"m","is_private":false}"""));
    }

    [Fact]
    public async Task The_program_prints_credentials_then_ready_and_serves_the_demo_seed()
    {
        var dll = typeof(SimulatorHost).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--pylon-url", "http://127.0.0.1:0", "--helpdesk-url", "http://127.0.0.1:0", "--cord-url", "http://127.0.0.1:0", "--seed", "demo", "--rate-limits", "scaled:2" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (line == "ready")
                {
                    break;
                }
            }

            Assert.Equal("ready", lines[^1]);
            Assert.Contains(lines, l => l.StartsWith("credentials ", StringComparison.Ordinal) && l.Contains(SimulatorDefaults.PylonToken, StringComparison.Ordinal));
            var urls = JsonNode.Parse(lines.Single(l => l.StartsWith("urls ", StringComparison.Ordinal))["urls ".Length..])!;
            using var http = Http.Client(new Uri(urls["pylon"]!.GetValue<string>()), SimulatorDefaults.PylonToken);
            var page = await Http.Body(await http.GetAsync(new Uri("issues/iss_demo_1/messages", UriKind.Relative)));
            Assert.Equal(3, page["data"]!.AsArray().Count);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_entry_code_rejects_an_unknown_rate_limit_mode()
    {
        using var output = new StringWriter();

        var code = await SimulatorProgram.RunAsync(["--rate-limits", "sometimes"], output, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.DoesNotContain("ready", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--paging", "sometimes")]
    [InlineData("--paging", "1")]
    [InlineData("--helpdesk-list-envelope", "compact")]
    public async Task The_entry_code_rejects_an_unknown_paging_mode_or_envelope(string option, string value)
    {
        using var output = new StringWriter();

        var code = await SimulatorProgram.RunAsync([option, value], output, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains($"'{option}'", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_entry_code_serves_a_pylon_that_ignores_paging_when_asked()
    {
        using var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = SimulatorProgram.RunAsync(
            ["--pylon-url", "http://127.0.0.1:0", "--helpdesk-url", "http://127.0.0.1:0", "--cord-url", "http://127.0.0.1:0", "--seed", "demo",
             "--rate-limits", "off", "--paging", "ignored-first-page", "--helpdesk-list-envelope", "data-only"], output, stop.Token);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!output.ToString().Contains("ready", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !run.IsCompleted)
            {
                await Task.Delay(50);
            }

            var urls = JsonNode.Parse(output.ToString().Split('\n').Single(l => l.StartsWith("urls ", StringComparison.Ordinal))["urls ".Length..])!;
            using var pylon = Http.Client(new Uri(urls["pylon"]!.GetValue<string>()), SimulatorDefaults.PylonToken);
            var page = await Http.Body(await pylon.GetAsync(new Uri("issues/iss_demo_1/messages?cursor=anything", UriKind.Relative)));
            Assert.True(page["pagination"]!["has_next_page"]!.GetValue<bool>());
            using var helpdesk = Http.Client(new Uri(urls["helpdesk"]!.GetValue<string>()), HelpdeskSimulator.MintToken(new SimulatorOptions()));
            var list = (await Http.Body(await helpdesk.GetAsync(new Uri("helpdesk/api/messages?ticket_id=tkt_demo_1", UriKind.Relative)))).AsObject();
            Assert.Equal(["data"], list.Select(kv => kv.Key));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
        }
    }
}
