using System.Globalization;
using System.Text.Json.Nodes;

namespace MessageSync.Worker.Tests;

/// <summary>
/// config/k8s and config/k8s/sqlite: valid against the Kubernetes API's schemas, every pod at the Pod Security
/// "restricted" level with a read-only root filesystem, and the backfill CronJob bounded in time and resources.
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The image's non-root user: $APP_UID of the .NET images the Dockerfile builds on.</summary>
    private const long ImageUser = 1654;

    private static readonly string[] Files =
    [
        .. Directory.GetFiles(Path.Combine(Repo.Root, "config", "k8s"), "*.yaml"),
        .. Directory.GetFiles(Path.Combine(Repo.Root, "config", "k8s", "sqlite"), "*.yaml"),
    ];

    [Fact]
    public async Task Every_manifest_is_valid_against_the_Kubernetes_schemas()
    {
        var (exit, documents) = await Validated.Value;

        Assert.All(documents, d => Assert.True(d.Errors.Count == 0, $"{d.File} #{d.Index} {d.Kind} {d.Name}: {string.Join("; ", d.Errors)}"));
        Assert.Equal(0, exit);
        Assert.Equal(
            ["ConfigMap", "ConfigMap", "CronJob", "Deployment", "Deployment", "PersistentVolumeClaim", "Secret", "Service", "Service"],
            documents.Select(d => d.Kind!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_schema_check_fails_a_manifest_with_a_wrong_type_or_an_unknown_kind()
    {
        var cronJob = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "config", "k8s", "cronjob.yaml"));
        var broken = Path.Combine(Path.GetTempPath(), $"ms-k8s-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, cronJob
            .Replace("runAsUser: 1654", "runAsUser: app", StringComparison.Ordinal)
            .Replace("concurrencyPolicy: Forbid", "concurrencyPolicy: Never", StringComparison.Ordinal)
            + "---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: x }\n");
        try
        {
            var (exit, documents) = await KubernetesSchemas.ValidateAsync(broken);

            Assert.Equal(1, exit);
            var errors = string.Join('\n', documents[0].Errors);
            Assert.Contains("securityContext/runAsUser must be integer", errors, StringComparison.Ordinal);
            Assert.Contains("concurrencyPolicy must be equal to one of the allowed values", errors, StringComparison.Ordinal);
            Assert.Contains("unknown kind Deploymnet", Assert.Single(documents[1].Errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task Every_pod_meets_the_restricted_Pod_Security_level()
    {
        var pods = await PodsAsync();

        Assert.Equal(3, pods.Count); // two Deployments and the CronJob
        Assert.All(pods, pod => Assert.True(PodSecurity.RestrictedViolations(pod.Spec).Count == 0,
            $"{pod.Where}: {string.Join("; ", PodSecurity.RestrictedViolations(pod.Spec))}"));
    }

    /// <summary>Not inherited from the pod: each container states the whole restricted context itself, so a container added
    /// later, or a pod-level edit, cannot leave one running with less.</summary>
    [Fact]
    public async Task Every_container_states_a_restricted_read_only_security_context_as_a_numeric_non_root_user()
    {
        foreach (var (where, spec) in await PodsAsync())
        {
            foreach (var container in Containers(spec))
            {
                var context = container["securityContext"] as JsonObject;
                var name = $"{where} container {container["name"]}";
                Assert.True(context is not null, $"{name}: no securityContext");
                Assert.True((bool?)context["runAsNonRoot"] == true, $"{name}: runAsNonRoot");
                Assert.True((long?)context["runAsUser"] == ImageUser, $"{name}: runAsUser is not the image's user {ImageUser}");
                Assert.True((bool?)context["readOnlyRootFilesystem"] == true, $"{name}: readOnlyRootFilesystem");
                Assert.True((bool?)context["allowPrivilegeEscalation"] == false, $"{name}: allowPrivilegeEscalation");
                Assert.True((context["capabilities"]?["drop"] as JsonArray)?.Any(c => (string?)c == "ALL") == true, $"{name}: capabilities.drop ALL");
                Assert.True((string?)context["seccompProfile"]?["type"] == "RuntimeDefault", $"{name}: seccompProfile RuntimeDefault");
            }
        }
    }

    [Fact]
    public async Task A_read_only_root_leaves_tmp_and_the_SQLite_state_folder_writable()
    {
        foreach (var (where, spec) in await PodsAsync())
        {
            foreach (var container in Containers(spec))
            {
                Assert.Equal("emptyDir", VolumeType(spec, MountAt(container, "/tmp", where)));
            }
        }

        // The SQLite setup's state file lives on its volume, mounted writable where the ConfigMap's State:Path points.
        var (_, sqlite) = (await PodsAsync()).Single(p => p.Where.Contains("sqlite", StringComparison.Ordinal));
        var statePath = (string)JsonNode.Parse((string)(await DocumentsAsync()).Single(d => d.File.EndsWith("sqlite/configmap.yaml", StringComparison.Ordinal))
            .Manifest!["data"]!["appsettings.json"]!)!["Sync"]!["State"]!["Path"]!;
        var dataMount = Containers(sqlite).Single()["volumeMounts"]!.AsArray().OfType<JsonObject>()
            .Single(m => statePath.StartsWith((string)m["mountPath"]! + "/", StringComparison.Ordinal));
        Assert.NotEqual(true, (bool?)dataMount["readOnly"]);
        Assert.Equal("persistentVolumeClaim", VolumeType(sqlite, (string)dataMount["name"]!));
        Assert.Equal("/app/data", (string)dataMount["mountPath"]!);
    }

    [Fact]
    public async Task Every_container_has_resource_requests_and_a_memory_limit()
    {
        foreach (var (where, spec) in await PodsAsync())
        {
            foreach (var container in Containers(spec))
            {
                var resources = container["resources"];
                Assert.True(resources?["requests"]?["cpu"] is not null && resources["requests"]?["memory"] is not null, $"{where}: requests");
                Assert.True(resources?["limits"]?["memory"] is not null, $"{where}: memory limit");
            }
        }
    }

    [Fact]
    public async Task The_backfill_CronJob_never_overlaps_and_is_bounded_in_time()
    {
        var cronJob = (await DocumentsAsync()).Single(d => d.Kind == "CronJob").Manifest!;
        var job = cronJob["spec"]!["jobTemplate"]!["spec"]!;
        var args = Containers((JsonObject)job["template"]!["spec"]!).Single()["args"]!.AsArray().Select(a => (string)a!).ToList();
        var timeout = TimeSpan.Parse(args[args.IndexOf("--timeout") + 1], CultureInfo.InvariantCulture);

        Assert.Equal("Forbid", (string?)cronJob["spec"]!["concurrencyPolicy"]);
        Assert.True((long?)cronJob["spec"]!["startingDeadlineSeconds"] > 0, "startingDeadlineSeconds");
        // The backfill's own --timeout ends it first (exit 3, a clear result); the Job's deadline only catches a hang.
        Assert.True((long?)job["activeDeadlineSeconds"] > timeout.TotalSeconds, $"activeDeadlineSeconds must exceed --timeout {timeout}");
        Assert.Equal("backfill", args[0]);
    }

    /// <summary>The check above is only worth something if losing any one field fails it.</summary>
    [Theory]
    [InlineData("allowPrivilegeEscalation", "allowPrivilegeEscalation is not false")]
    [InlineData("capabilities", "capabilities do not drop ALL")]
    [InlineData("seccompProfile", "seccompProfile type is unset")]
    [InlineData("runAsNonRoot", "runAsNonRoot is not true")]
    [InlineData("runAsUser=0", "runAsUser is 0")]
    [InlineData("privileged=true", "privileged")]
    [InlineData("capabilities.add=SYS_ADMIN", "adds capability SYS_ADMIN")]
    [InlineData("capabilities.add=CHOWN", "adds capability CHOWN")]
    [InlineData("volume=hostPath", "type hostPath is not allowed")]
    [InlineData("hostNetwork=true", "hostNetwork is true")]
    public async Task The_restricted_check_fails_a_pod_that_loses_a_control(string change, string expected)
    {
        var (_, spec) = (await PodsAsync()).First();
        var pod = (JsonObject)spec.DeepClone();
        var podContext = (JsonObject)pod["securityContext"]!;
        var container = (JsonObject)Containers(pod).First()["securityContext"]!;
        switch (change)
        {
            case "runAsUser=0": container["runAsUser"] = 0; break;
            case "privileged=true": container["privileged"] = true; break;
            case "capabilities.add=SYS_ADMIN": container["capabilities"]!["add"] = new JsonArray("SYS_ADMIN"); break;
            case "capabilities.add=CHOWN": container["capabilities"]!["add"] = new JsonArray("CHOWN"); break;
            case "volume=hostPath": pod["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "host", ["hostPath"] = new JsonObject { ["path"] = "/" } }); break;
            case "hostNetwork=true": pod["hostNetwork"] = true; break;
            default:
                // Gone from the container and from the pod, so nothing is inherited.
                container.Remove(change);
                podContext.Remove(change);
                break;
        }

        Assert.Empty(PodSecurity.RestrictedViolations(spec));
        Assert.Contains(PodSecurity.RestrictedViolations(pod), v => v.Contains(expected, StringComparison.Ordinal));
    }

    /// <summary>The manifests as the validator read them, once for the class (Node.js starts in about a second).</summary>
    private static readonly Lazy<Task<(int ExitCode, IReadOnlyList<KubernetesSchemas.Document> Documents)>> Validated =
        new(() => KubernetesSchemas.ValidateAsync(Files));

    private static async Task<IReadOnlyList<KubernetesSchemas.Document>> DocumentsAsync() => (await Validated.Value).Documents;

    private static async Task<List<(string Where, JsonObject Spec)>> PodsAsync() =>
        [.. (await DocumentsAsync()).Where(d => d.Manifest is not null)
            .SelectMany(d => PodSecurity.PodSpecs(d.Manifest!).Select(spec => ($"{Path.GetRelativePath(Repo.Root, d.File)} {d.Kind}", spec)))];

    private static IEnumerable<JsonObject> Containers(JsonObject podSpec) =>
        (podSpec["containers"] as JsonArray ?? []).Concat(podSpec["initContainers"] as JsonArray ?? []).OfType<JsonObject>();

    private static string MountAt(JsonObject container, string path, string where)
    {
        var mount = (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>().SingleOrDefault(m => (string?)m["mountPath"] == path);
        Assert.True(mount is not null, $"{where}: nothing is mounted at {path}");
        Assert.NotEqual(true, (bool?)mount["readOnly"]);
        return (string)mount["name"]!;
    }

    private static string? VolumeType(JsonObject podSpec, string volume) =>
        podSpec["volumes"]!.AsArray().OfType<JsonObject>().Single(v => (string?)v["name"] == volume).Select(p => p.Key).FirstOrDefault(k => k != "name");
}
