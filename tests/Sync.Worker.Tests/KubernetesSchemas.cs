using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MessageSync.Worker.Tests;

/// <summary>
/// tests/kubernetes/validate.js: Kubernetes manifests checked against the API's schemas (npm package kubernetes-models)
/// by Node.js. scripts/test.sh installs both with scripts/kubernetes-schemas.sh and sets SYNC_TEST_NODE. A test that
/// needs them fails, never skips, when they are missing.
/// </summary>
public static class KubernetesSchemas
{
    public const string Variable = "SYNC_TEST_NODE";

    private static string Tool => Path.Combine(Repo.Root, "tests", "kubernetes");

    /// <summary>One YAML document of a manifest file: where it is, what it is, what the schemas found wrong, and the object.</summary>
    public sealed record Document(string File, int Index, string? Kind, string? Name, IReadOnlyList<string> Errors, JsonObject? Manifest);

    /// <summary>Validates <paramref name="files"/>; the validator's exit code and every document it read.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<Document> Documents)> ValidateAsync(params string[] files)
    {
        var node = Node;
        Assert.True(Directory.Exists(Path.Combine(Tool, "node_modules", "kubernetes-models")),
            $"{Tool}/node_modules is missing: run the tests through scripts/test.sh (scripts/kubernetes-schemas.sh install).");
        var info = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Tool };
        info.ArgumentList.Add(Path.Combine(Tool, "validate.js"));
        info.ArgumentList.Add("--json");
        foreach (var file in files)
        {
            info.ArgumentList.Add(file);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(output.TrimStart().StartsWith('['), $"validate.js: exit {process.ExitCode}\n{output}\n{await stderr}");
        var documents = JsonNode.Parse(output)!.AsArray().Select(d => new Document(
            (string)d!["file"]!,
            (int)d["document"]!,
            (string?)d["kind"],
            (string?)d["name"],
            [.. d["errors"]!.AsArray().Select(e => (string)e!)],
            d["object"] as JsonObject)).ToList();
        return (process.ExitCode, documents);
    }

    private static string Node
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrWhiteSpace(configured) && File.Exists(configured))
            {
                return configured;
            }

            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "node")).FirstOrDefault(File.Exists);
            Assert.True(onPath is not null, $"node is missing: run the tests through scripts/test.sh (scripts/kubernetes-schemas.sh install), or set {Variable}.");
            return onPath!;
        }
    }
}

/// <summary>
/// The Pod Security Standards' "restricted" level (kubernetes.io/docs/concepts/security/pod-security-standards), as the
/// Pod Security admission controller evaluates a pod spec: the baseline controls, then the restricted ones. Pod-level
/// settings count for every container that does not set its own, as the admission controller counts them.
/// </summary>
public static class PodSecurity
{
    private static readonly HashSet<string> RestrictedVolumeTypes =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    private static readonly HashSet<string> BaselineCapabilities =
        ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

    /// <summary>Every control of the restricted level that <paramref name="podSpec"/> breaks, one line each; empty when it passes.</summary>
    public static List<string> RestrictedViolations(JsonObject podSpec)
    {
        var failures = new List<string>();
        var pod = podSpec["securityContext"] as JsonObject;

        // Baseline: host namespaces, host paths and ports, privileged containers, added capabilities, /proc, sysctls.
        foreach (var host in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (podSpec[host] is JsonValue v && v.GetValue<bool>())
            {
                failures.Add($"{host} is true");
            }
        }

        if (pod?["sysctls"] is JsonArray { Count: > 0 })
        {
            failures.Add("pod sets sysctls");
        }

        foreach (var volume in (podSpec["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var type = volume.Select(p => p.Key).FirstOrDefault(k => k != "name");
            if (type is null || !RestrictedVolumeTypes.Contains(type))
            {
                failures.Add($"volume {volume["name"]}: type {type ?? "(none)"} is not allowed");
            }
        }

        var containers = (podSpec["containers"] as JsonArray ?? []).Concat(podSpec["initContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (containers.Count == 0)
        {
            failures.Add("no containers");
        }

        foreach (var container in containers)
        {
            var name = $"container {container["name"]}";
            var own = container["securityContext"] as JsonObject;
            if (own?["privileged"] is JsonValue privileged && privileged.GetValue<bool>())
            {
                failures.Add($"{name}: privileged");
            }

            if ((container["ports"] as JsonArray ?? []).OfType<JsonObject>().Any(p => p["hostPort"] is JsonValue hp && hp.GetValue<int>() != 0))
            {
                failures.Add($"{name}: hostPort");
            }

            if (own?["procMount"] is JsonValue proc && proc.GetValue<string>() != "Default")
            {
                failures.Add($"{name}: procMount {proc}");
            }

            var added = (own?["capabilities"]?["add"] as JsonArray ?? []).Select(c => c!.GetValue<string>()).ToList();
            failures.AddRange(added.Where(c => !BaselineCapabilities.Contains(c)).Select(c => $"{name}: adds capability {c}"));

            // Restricted.
            if (own?["allowPrivilegeEscalation"] is not JsonValue ape || ape.GetValue<bool>())
            {
                failures.Add($"{name}: allowPrivilegeEscalation is not false");
            }

            if (Effective(own, pod, "runAsNonRoot") is not JsonValue nonRoot || !nonRoot.GetValue<bool>())
            {
                failures.Add($"{name}: runAsNonRoot is not true");
            }

            if (Effective(own, pod, "runAsUser") is JsonValue user && user.ToJsonString() == "0")
            {
                failures.Add($"{name}: runAsUser is 0");
            }

            var seccomp = (string?)Effective(own, pod, "seccompProfile")?["type"];
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                failures.Add($"{name}: seccompProfile type is {seccomp ?? "unset"}, not RuntimeDefault or Localhost");
            }

            var dropped = (own?["capabilities"]?["drop"] as JsonArray ?? []).Select(c => c!.GetValue<string>()).ToList();
            if (!dropped.Contains("ALL"))
            {
                failures.Add($"{name}: capabilities do not drop ALL");
            }

            failures.AddRange(added.Where(c => c != "NET_BIND_SERVICE" && BaselineCapabilities.Contains(c)).Select(c => $"{name}: adds capability {c}"));
        }

        return failures;
    }

    /// <summary>The pod templates in a manifest: a Deployment's, a CronJob's job's, a Job's, a Pod's own spec; none for other kinds.</summary>
    public static IEnumerable<JsonObject> PodSpecs(JsonObject manifest) => (string?)manifest["kind"] switch
    {
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" or "ReplicaSet" => [(JsonObject)manifest["spec"]!["template"]!["spec"]!],
        "CronJob" => [(JsonObject)manifest["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!],
        "Pod" => [(JsonObject)manifest["spec"]!],
        _ => [],
    };

    private static JsonNode? Effective(JsonObject? container, JsonObject? pod, string field) => container?[field] ?? pod?[field];
}
