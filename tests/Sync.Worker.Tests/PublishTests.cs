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
        Assert.All(script, line => Assert.Contains("-r \"$RUNTIME_IDENTIFIER\"", line, StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_and_the_publish_script_target_linux_x64_by_default()
    {
        var script = File.ReadAllText(Path.Combine(Repo.Root, "scripts", "publish.sh"));
        var docker = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile"));

        Assert.Contains("RUNTIME_IDENTIFIER=${RUNTIME_IDENTIFIER:-linux-x64}", script, StringComparison.Ordinal);
        Assert.Contains("ARG RUNTIME_IDENTIFIER=linux-x64", docker);
    }

    /// <summary>scripts/test.sh publishes to artifacts/publish before the tests run (CI's stand-in for docker build).</summary>
    [Fact]
    public void The_published_worker_ships_native_SQLite_for_one_platform_only()
    {
        var published = Path.Combine(Repo.Root, "artifacts", "publish");
        Assert.True(File.Exists(Path.Combine(published, "Sync.Worker.dll")), $"{published} holds no published worker: run scripts/publish.sh (scripts/test.sh does).");

        // Native libraries only (.so, .dylib, .dll under runtimes/): the managed provider assembly is for every platform.
        var natives = Directory.EnumerateFiles(published, "*e_sqlite3*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(published, f))
            .Where(f => f != "SQLitePCLRaw.provider.e_sqlite3.dll").ToList();

        Assert.Equal(["libe_sqlite3.so"], natives);
        Assert.False(Directory.Exists(Path.Combine(published, "runtimes")), "no per-platform runtimes/ folder");
    }

    [Fact]
    public void The_build_context_leaves_out_local_build_output_results_and_history()
    {
        var ignore = new DockerIgnore(File.ReadAllLines(Path.Combine(Repo.Root, ".dockerignore")));

        Assert.All(
            ["src/Sync.Worker/bin/Debug/net10.0/Sync.Worker.dll", "src/Sync.Core/obj/project.assets.json", "tests/Sync.Worker.Tests/bin/x.dll",
             "TestResults/run-1/a.trx", "artifacts/publish/Sync.Worker.dll", ".git/HEAD", "data/sync.db", "src/Sync.Worker/data/sync.db",
             "tests/k8s/node_modules/yaml/package.json", "bench/results/processes.json"],
            path => Assert.True(ignore.Excludes(path), $"{path} enters the build context"));
        // Everything the Dockerfile copies stays in.
        var copied = new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" }
            .Concat(Directory.EnumerateFiles(Path.Combine(Repo.Root, "src"), "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'))
                .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)))
            .ToList();
        Assert.Contains("src/Sync.Worker/Sync.Worker.csproj", copied);
        Assert.All(copied, path => Assert.False(ignore.Excludes(path), $"{path} is copied by the Dockerfile but left out of the build context"));
    }

    /// <summary>
    /// .dockerignore as Docker reads it: each line a pattern over the path from the context root (Go's filepath.Match,
    /// plus <c>**</c> for any number of folders); a match on a folder excludes what is inside; a later <c>!</c> line
    /// re-includes.
    /// </summary>
    private sealed class DockerIgnore(IEnumerable<string> lines)
    {
        private readonly List<(Regex Pattern, bool Include)> _rules = lines
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.StartsWith('!') ? (l[1..], true) : (l, false))
            .Select(r => (new Regex("^" + ToRegex(r.Item1.Trim('/')) + "$", RegexOptions.CultureInvariant), r.Item2))
            .ToList();

        public bool Excludes(string path)
        {
            var parts = path.Split('/');
            var excluded = false;
            foreach (var (pattern, include) in _rules)
            {
                // The path itself or any folder above it.
                if (Enumerable.Range(1, parts.Length).Any(n => pattern.IsMatch(string.Join('/', parts.Take(n)))))
                {
                    excluded = !include;
                }
            }

            return excluded;
        }

        private static string ToRegex(string pattern)
        {
            var regex = new System.Text.StringBuilder();
            for (var i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    regex.Append(i + 2 < pattern.Length && pattern[i + 2] == '/' ? "(.*/)?" : ".*");
                    i += i + 2 < pattern.Length && pattern[i + 2] == '/' ? 2 : 1;
                }
                else
                {
                    regex.Append(pattern[i] switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(pattern[i].ToString()) });
                }
            }

            return regex.ToString();
        }
    }

    [Fact]
    public void The_runtime_image_runs_as_a_non_root_user_with_a_data_volume()
    {
        var docker = File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile"));

        Assert.Contains("USER $APP_UID", docker, StringComparison.Ordinal);
        Assert.Contains("chown -R $APP_UID /app/data", docker, StringComparison.Ordinal);
        Assert.Contains("VOLUME /app/data", docker, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Sync.Worker.dll\"]", docker, StringComparison.Ordinal);
    }
}
