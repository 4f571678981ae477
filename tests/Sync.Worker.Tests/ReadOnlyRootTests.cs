using System.Diagnostics;
using MessageSync.Simulators;

namespace MessageSync.Worker.Tests;

/// <summary>
/// config/k8s mounts the root filesystem read-only (<c>readOnlyRootFilesystem</c>) with only /tmp and the state folder
/// writable. No container engine runs here, so the published worker (what the image carries) runs in a private mount
/// namespace whose root is remounted read-only, /tmp alone left writable (the state folder is under it), and must sync.
/// </summary>
public sealed class ReadOnlyRootTests : IAsyncLifetime, IDisposable
{
    private const int Speed = 60;
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _sims = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatedSystems.StartOneLinkAsync(Speed);
    }

    [Fact]
    public async Task The_published_worker_syncs_on_a_read_only_root_writing_only_tmp_and_its_state_folder()
    {
        var published = Path.Combine(Repo.Root, "artifacts", "publish");
        Assert.True(File.Exists(Path.Combine(published, "Sync.Worker.dll")), $"{published} holds no published worker: run scripts/publish.sh (scripts/test.sh does).");
        Assert.StartsWith("/tmp/", _worker.StatePath, StringComparison.Ordinal);
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>read-only root</p>");

        // As the container: the working directory is the (read-only) application folder.
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = published,
        };
        foreach (var arg in new[]
        {
            "--mount", "--propagation", "private", "sh", "-c",
            "mount --bind /tmp /tmp && mount --bind / / && mount -o remount,bind,ro / && exec dotnet \"$@\"", "sh",
            Path.Combine(published, "Sync.Worker.dll"), "run",
            "--Sync:Http:Urls=http://127.0.0.1:0", $"--Sync:State:Path={_worker.StatePath}",
            "--Sync:Polling:ActiveInterval=00:00:00.200", "--Sync:Polling:RelayInterval=00:00:00.100",
            "--Sync:Links:0:Id=link-1", "--Sync:Links:0:PylonIssueId=iss_1", "--Sync:Links:0:HelpdeskTicketId=tkt_1", "--Sync:Links:0:CordThreadId=th_1",
        }.Concat(SimulatedSystems.Settings(_sims, Speed)))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("SYNC_CONFIG_FILE");
        using var worker = new RunningWorker(Process.Start(info)!);

        await worker.WaitUntilAsync(
            () => _sims.Helpdesk.GetMessages("tkt_1").Any(m => m.Content.Contains("read-only root", StringComparison.Ordinal))
                && _sims.Cord.GetMessages("th_1").Any(m => m.Plaintext.Contains("read-only root", StringComparison.Ordinal)),
            "the message is mirrored into the helpdesk and Cord");
        var listening = await worker.WaitForLineAsync(l => l.Contains("Now listening on: ", StringComparison.Ordinal));
        var url = listening[listening.IndexOf("http://", StringComparison.Ordinal)..].Trim();
        using var http = new HttpClient();
        var ready = await http.GetAsync(new Uri(new Uri(url), "/readyz"));

        Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync());
        Assert.DoesNotContain(worker.Lines, l => l.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.True(File.Exists(_worker.StatePath), "the state file is in its folder");
        Assert.Equal(0, await worker.TerminateAsync());
    }

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    public void Dispose() => _worker.Dispose();
}
