using System.Text.RegularExpressions;

namespace MessageSync.Worker.Tests;

/// <summary>No Docker engine runs here, so CI runs scripts/publish.sh instead: the two must run the same commands.</summary>
public sealed class PublishTests
{
    [Fact]
    public void The_Dockerfile_restores_and_publishes_exactly_as_the_publish_script()
    {
        var script = File.ReadAllLines(Path.Combine(Repo.Root, "scripts", "publish.sh"))
            .Where(l => l.StartsWith("dotnet ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l, "\"\\$out\"", "OUT"))
            .ToList();
        var docker = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile"))
            .Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l["RUN ".Length..], "/app/publish", "OUT"))
            .ToList();

        Assert.Equal(2, script.Count);
        Assert.Equal(script, docker);
    }

    [Fact]
    public void The_runtime_image_runs_as_a_non_root_user_with_a_data_volume()
    {
        var docker = File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile"));

        Assert.Contains("USER $APP_UID", docker, StringComparison.Ordinal);
        Assert.Contains("VOLUME /app/data", docker, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Sync.Worker.dll\"]", docker, StringComparison.Ordinal);
    }
}
